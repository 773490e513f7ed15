"""A participant learns as a new user would: finds a tip for meetings, reads a lesson, marks
it done and answers its prompt privately. axe-core checks every page on the way."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.models import LessonProgress, PromptAnswer

from .helpers import AccessibilityChecker, open_tips, sign_in

pytestmark = pytest.mark.browser


def test_a_participant_finds_a_meeting_tip_at_courage_level_one(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    open_tips(page, axe)
    page.get_by_label("Search tips").fill("meeting")
    # The filters beyond the search box are folded away until asked for.
    expect(page.get_by_label("Courage level")).to_be_hidden()
    page.get_by_text("Filter by practice, what holds you back").click()
    page.get_by_label("Courage level").select_option(label="1 · Learn")
    page.get_by_role("button", name="Search").click()
    # The last search wins: an earlier one (the box losing focus) may still be answering.
    expect(page).to_have_url(re.compile(r"q=meeting.*courage=1"))
    results = page.locator("#results")
    expect(results.get_by_role("heading", level=2)).to_contain_text("found")
    first = results.locator(".tip").first
    expect(first).to_contain_text("1 · Learn")
    expect(first.get_by_role("heading", level=3)).to_contain_text("eeting")
    axe(page, dark_too=True)


def test_a_participant_reads_a_lesson_marks_it_done_and_answers_privately(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn")
    axe(page)
    page.get_by_role("link", name=re.compile(r"^Read “\s?Ally is something you do\s?”$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ally is something you do")
    axe(page, dark_too=True)

    # Reflect first, then mark it done: the button comes after the prompts.
    reflect = page.get_by_role("heading", name="Reflect", exact=True).bounding_box()
    done = page.get_by_role("button", name="Mark as done").bounding_box()
    assert reflect is not None and done is not None and done["y"] > reflect["y"]
    page.get_by_role("button", name="Mark as done").click()
    expect(page.get_by_text("You marked this lesson as done")).to_be_visible()
    person = Person.objects.get(email="participant@example.com")
    assert LessonProgress.objects.filter(person=person).count() == 1

    answer = "Priya backed my idea in the planning meeting and named it as mine."
    box = page.get_by_role("textbox").first
    box.fill(answer)
    page.get_by_role("button", name="Save my answer").first.click()
    expect(page.get_by_role("status").first).to_contain_text("Saved privately")
    expect(page.get_by_role("textbox").first).to_have_value(answer)
    axe(page)
    saved = PromptAnswer.objects.get(person=person)
    assert saved.answer == answer

    # The suggested next lesson moves on.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    expect(page.get_by_text("You have finished 1 of")).to_be_visible()
    expect(
        page.get_by_role(
            "link", name=re.compile(r"^Read “\s?Allyship is recognised, not claimed\s?”$")
        )
    ).to_be_visible()


def open_first_lesson(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learn").click()
    page.get_by_role("link", name=re.compile(r"^Read “\s?Ally is something you do\s?”$")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ally is something you do")


def test_without_javascript_mark_as_done_keeps_the_answer_typed_but_not_saved(
    open_page: Callable[..., Page], demo: Organisation, tmp_path: Path
) -> None:
    """axe-core is not run here: with scripts off its checks never finish. The markup is the
    same as with them, and is checked in the test below."""
    page = open_page(java_script_enabled=False)
    sign_in(page, "participant@example.com")
    open_first_lesson(page)
    answer = "Priya backed my idea in the planning meeting and named it as mine."

    page.get_by_role("textbox").first.fill(answer)
    page.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_text("You marked this lesson as done")).to_be_visible()
    expect(page.get_by_text("Your answers are saved too, privately.")).to_be_visible()
    expect(page.get_by_role("textbox").first).to_have_value(answer)
    expect(page.get_by_role("button", name="Update my answer")).to_be_visible()
    page.screenshot(path=str(tmp_path / "lesson-done-without-js.png"), full_page=True)
    person = Person.objects.get(email="participant@example.com")
    assert LessonProgress.objects.filter(person=person).count() == 1
    assert PromptAnswer.objects.get(person=person).answer == answer


def test_an_answer_too_long_sent_with_mark_as_done_comes_back_with_the_error_beside_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation, tmp_path: Path
) -> None:
    """With htmx: the boxes come back as typed, the keyboard on the long one, and the lesson
    is not marked done until it fits."""
    sign_in(page, "participant@example.com")
    open_first_lesson(page)
    box = page.get_by_role("textbox").first
    # The box's maxlength stops typing at the limit; text can still arrive longer than that.
    too_long = "I noticed I wait to be asked. " * 170
    box.evaluate("(box, text) => { box.value = text; }", too_long)

    page.get_by_role("button", name="Mark as done").click()

    expect(page.locator(".field__errors")).to_contain_text("at most 5000 characters")
    expect(page.get_by_text("Not marked as done yet")).to_be_visible()
    expect(page.get_by_role("textbox").first).to_be_focused()
    expect(page.get_by_role("textbox").first).to_have_value(too_long)
    axe(page)
    page.screenshot(path=str(tmp_path / "lesson-too-long-with-js.png"), full_page=True)
    person = Person.objects.get(email="participant@example.com")
    assert not LessonProgress.objects.filter(person=person).exists()

    page.get_by_role("textbox").first.fill("Priya backed my idea.")
    page.get_by_role("button", name="Mark as done").click()

    expect(page.get_by_text("You marked this lesson as done")).to_be_visible()
    expect(page.get_by_text("Your answers are saved too, privately.")).to_be_visible()
    assert PromptAnswer.objects.get(person=person).answer == "Priya backed my idea."


def test_a_facilitator_previews_and_saves_a_module_edit(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "facilitator@example.com")
    page.goto("/learn/allyship-foundations/")
    expect(
        page.get_by_role("heading", name="Discussion questions (for facilitators)")
    ).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Edit this module").click()
    axe(page)
    page.get_by_label("Overview (Markdown)").fill("## Start here\n\nAllyship is **practice**.")
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#preview")
    expect(preview.get_by_role("heading", name="Start here")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Allyship foundations")
    expect(page.get_by_text("Allyship is practice.")).to_be_visible()
