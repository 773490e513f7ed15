"""The practice loop as a new participant meets it: assess, choose a defense, plan, get one
suggestion, commit weekly, check in, pause, resume, and see growth after a second
assessment. axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.practice import assessment, services
from bridgework.practice.models import ActionPlan, Assessment, CheckIn, Commitment

from .helpers import DESKTOP, SCREENSHOTS, AccessibilityChecker, open_tips, screenshot, sign_in

pytestmark = pytest.mark.browser


def answer_assessment(page: Page, value: str) -> None:
    for radio in page.locator(f"input[type=radio][value='{value}']:not([name=defense])").all():
        radio.check()
    page.get_by_label("Paralysis", exact=False).check()
    page.get_by_role("button", name="Save my answers").click()


def test_the_whole_practice_loop(page: Page, axe: AccessibilityChecker, demo: Organisation) -> None:
    sign_in(page, "participant@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Practice").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    axe(page, dark_too=True)

    page.get_by_role("link", name="Take the self-assessment").click()
    axe(page)
    # Submitting with nothing answered keeps the page and says what is missing.
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("still need an answer")
    axe(page)
    answer_assessment(page, "1")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your growth")
    expect(page.get_by_role("img", name="How often you practised")).to_be_visible()
    axe(page, dark_too=True)

    page.get_by_role("link", name="Write an action plan").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("paralysis")
    axe(page)
    page.locator("textarea[name=small_step]").fill("Note who speaks in Tuesday's meeting")
    page.get_by_role("button", name="Save my plan").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pick one thing for me")
    axe(page)
    first_tip = page.locator("#suggestion h2").inner_text()
    page.get_by_role("link", name="Show me another").click()
    expect(page.locator("#suggestion h2")).not_to_have_text(first_tip)
    chosen_tip = page.locator("#suggestion h2").inner_text()
    page.get_by_role("link", name="Commit to this").click()
    axe(page)
    page.get_by_label("Once a week").check()
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")

    # The demo participant already answered an ask with a commitment: use the new one.
    card = page.locator("[id^=commitment-]").filter(has_text=chosen_tip)
    card.get_by_role("button", name="Done", exact=True).click()
    expect(page.get_by_text("You checked in: done")).to_be_visible()
    axe(page)
    card.get_by_role("button", name="Pause").click()
    expect(page.get_by_text("Paused.", exact=True)).to_be_visible()
    card.get_by_role("button", name="Resume").click()
    expect(page.get_by_role("status").first).to_contain_text("Welcome back")

    page.goto("/practice/assessment/")
    answer_assessment(page, "3")
    table = page.get_by_role("table")
    expect(table.get_by_role("columnheader")).to_have_count(3)
    axe(page)

    person = Person.objects.get(email="participant@example.com")
    assert Assessment.objects.filter(person=person).count() == 2
    assert ActionPlan.objects.filter(person=person).count() == 1
    commitment = Commitment.objects.filter(person=person).latest("created_at")
    assert commitment.cadence == "weekly" and commitment.status == "active"
    assert CheckIn.objects.get(commitment=commitment).outcome == "done"


# --- Rough edges of the practice loop (issue 24) ------------------------------------------------

NARROW = {"width": 390, "height": 844}


def shot(page: Page, name: str, *, full_page: bool = True) -> None:
    """Screenshots for a person to look at; they are not compared with anything."""
    if full_page:
        screenshot(page, f"practice-{name}")
    else:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"practice-{name}"), caret="hide")


def participant() -> Person:
    return Person.objects.get(email="participant@example.com")


def test_finishing_asks_first_keeps_the_notes_and_can_be_undone(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    commitment = services.commit(
        person=participant(),
        title="Name the idea's author when I repeat it",
        practice="deep-curiosity",
        courage=1,
        cadence="weekly",
    )
    services.check_in(commitment=commitment, outcome="partly", note="Forgot once, then did it")
    sign_in(page, "participant@example.com")
    page.goto("/practice/")
    card = page.locator(f"#commitment-{commitment.pk}")
    shot(page, "dashboard.png")

    card.get_by_role("link", name="Check-ins and notes").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(commitment.title)
    expect(page.locator("blockquote")).to_have_text("Forgot once, then did it")
    axe(page)

    page.go_back()
    card.get_by_role("link", name="Finish").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Finish “Name the idea")
    axe(page)
    shot(page, "finish-confirm.png")
    # Changing one's mind leaves everything as it was.
    page.get_by_role("link", name="Keep going").click()
    expect(card).to_be_visible()
    card.get_by_role("link", name="Finish").click()
    page.get_by_role("button", name="Yes, finish it").click()

    expect(page.get_by_role("heading", name="Finished", level=2)).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Well done")
    expect(page.locator("blockquote")).to_have_text("Forgot once, then did it")
    axe(page)
    shot(page, "finished-history.png")
    page.get_by_role("link", name="Practice", exact=True).first.click()
    expect(card).to_have_count(0)
    finished = page.locator("section").filter(
        has=page.get_by_role("heading", name="Finished", level=2)
    )
    finished.get_by_role("link", name=commitment.title).click()
    page.get_by_role("button", name="Take it up again").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    expect(card).to_be_visible()
    axe(page)
    commitment.refresh_from_db()
    assert commitment.status == Commitment.Status.ACTIVE


@pytest.mark.parametrize("viewport", [DESKTOP, NARROW], ids=["desktop", "narrow"])
def test_missing_answers_are_counted_and_linked_and_the_scale_stays_on_one_row(
    viewport: dict[str, int],
    open_page: Callable[..., Page],
    axe: AccessibilityChecker,
    demo: Organisation,
) -> None:
    page = open_page(viewport=viewport)
    sign_in(page, "participant@example.com")
    page.goto("/practice/assessment/")
    questions = page.locator("fieldset.scale")
    first = questions.first.locator("li")
    boxes = [first.nth(n).bounding_box() for n in range(5)]
    tops = {round(box["y"]) for box in boxes if box}
    # Five answers side by side, "Most days" included, on a phone too.
    assert len(tops) == 1, boxes
    shot(page, f"assessment-{viewport['width']}.png", full_page=False)

    # Answer all but two questions and the defense.
    for index in range(questions.count()):
        if index not in (2, 9):
            questions.nth(index).locator("input[value='2']").check()
    page.get_by_role("button", name="Save my answers").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("3 questions still need an answer")
    expect(summary.get_by_role("link")).to_have_count(3)
    third_question = questions.nth(2)
    expect(third_question.locator("input").first).to_be_focused()
    assert third_question.locator("input").first.is_visible()
    axe(page)
    shot(page, f"assessment-missing-{viewport['width']}.png", full_page=False)
    summary.get_by_role("link").nth(1).click()
    assert page.url.endswith("#" + (questions.nth(9).get_attribute("id") or "?"))
    expect(questions.nth(9)).to_be_in_viewport()


@pytest.mark.parametrize("scripts", [True, False], ids=["with-js", "without-js"])
def test_the_commit_form_shows_days_or_cue_only_when_they_apply(
    scripts: bool,
    open_page: Callable[..., Page],
    axe: AccessibilityChecker,
    demo: Organisation,
) -> None:
    page = open_page(viewport=NARROW, java_script_enabled=scripts)
    sign_in(page, "participant@example.com")
    page.goto("/practice/commit/")
    days = page.get_by_role("group", name="Which days?")
    cue = page.get_by_label("Which cue?")

    expect(page.get_by_label("Once a week")).to_be_checked()
    expect(days).to_be_hidden()
    expect(cue).to_be_hidden()
    axe(page)
    page.get_by_label("On the days I choose").check()
    expect(days).to_be_visible()
    expect(cue).to_be_hidden()
    shot(page, f"commit-days-{'js' if scripts else 'nojs'}.png")
    page.get_by_label("After something that happens anyway").check()
    expect(days).to_be_hidden()
    expect(cue).to_be_visible()
    axe(page)

    # Without a cue the form comes back with the cue field open and its message beside it.
    page.get_by_label("What will you do?").fill("Ask a quiet colleague first")
    page.get_by_role("button", name="Commit").click()
    expect(cue).to_be_visible()
    expect(page.locator(".field__errors")).to_contain_text("Say what the cue is")
    axe(page)
    cue.fill("after the Monday stand-up")
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    saved = Commitment.objects.filter(person=participant()).latest("created_at")
    assert (saved.cadence, saved.cue) == ("cue", "after the Monday stand-up")


def test_same_day_takes_and_overlapping_lines_on_the_growth_page(
    open_page: Callable[..., Page], axe: AccessibilityChecker, demo: Organisation
) -> None:
    person = participant()
    Assessment.objects.filter(person=person).delete()
    answers = {item.key: 2 for item in assessment.ITEMS}
    for _ in range(2):
        services.take_assessment(person=person, answers=answers, defense="paralysis")
    page = open_page(viewport=DESKTOP)
    sign_in(page, "participant@example.com")
    page.goto("/practice/growth/")

    headers = page.get_by_role("table").get_by_role("columnheader")
    expect(headers.nth(1)).to_contain_text("take 1")
    expect(headers.nth(2)).to_contain_text("take 2")
    expect(page.locator("svg.chart polyline[stroke-dasharray]")).to_have_count(6)
    axe(page, dark_too=True)
    shot(page, "growth-same-day.png")

    # On a phone the table's headings are hidden; each value still says which take it is.
    page.set_viewport_size({"width": NARROW["width"], "height": NARROW["height"]})
    cell = page.get_by_role("table").locator("td").nth(1)
    before = cell.evaluate("td => getComputedStyle(td, '::before').content")
    assert "take 2" in before, before
    axe(page)
    shot(page, "growth-same-day-390.png")


def test_tips_and_pick_one_thing_for_me_have_different_names(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    open_tips(page, axe)
    page.get_by_role("main").get_by_role("link", name="Pick one thing for me").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pick one thing for me")
    assert page.title().startswith("Pick one thing for me")
