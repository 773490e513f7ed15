"""Reflect as a new participant meets it: a journal entry from a gratitude prompt, part of
the social location map and its picture, a role-model ally with a coffee-chat invite, an
apology draft with feedback, a recognition note the recipient sees, and the data download.
The program admin cannot reach any of it. axe-core checks every page on the way."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.reflection.models import JournalEntry

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_a_participant_reflects_and_takes_it_all_home(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Reflect").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflect")
    axe(page, dark_too=True)

    # A journal entry from today's gratitude prompt.
    page.get_by_role("link", name="Write about this").click()
    expect(page.locator(".prompt-of-day")).to_be_visible()
    axe(page)
    page.get_by_label("What is on your mind?").fill("My teammate covered for me on Friday.")
    page.get_by_label("Tags (optional)").fill("team, thanks")
    page.get_by_label("Steady").check()
    page.get_by_role("button", name="Save privately").click()
    expect(page.get_by_text("My teammate covered for me on Friday.")).to_be_visible()
    axe(page)

    # Part of the social location map, and the picture it makes.
    page.goto("/reflect/map/")
    axe(page)
    page.locator("input[name=age__overall][value='4']").check()
    page.locator("input[name=class__overall][value='2']").check()
    page.locator("input[name=language__overall][value='5']").check()
    page.get_by_role("button", name="Save my map").click()
    expect(page.get_by_role("img", name="Your social location wheel")).to_be_visible()
    expect(
        page.get_by_text("neither completely privileged nor completely marginalised")
    ).to_be_visible()
    axe(page, dark_too=True)

    # A role-model ally, a growth goal, and the coffee-chat invite.
    page.get_by_role("navigation", name="Reflect").get_by_role(
        "link", name="Role-model allies"
    ).click()
    axe(page)
    page.get_by_label("Who do you see as an ally?").fill("Rosa")
    page.get_by_label("Small, everyday things they do").fill("Learns everyone's name.")
    page.get_by_role("button", name="Save privately").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rosa")
    page.get_by_label("A growth goal").fill("Ask quieter colleagues first")
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator(".goal-row__text", has_text="Ask quieter colleagues first")).to_be_visible()
    axe(page)
    page.get_by_label("Practice").select_option(label="Authentic conversations")
    page.get_by_label("Level").select_option(label="2 · Support")
    screenshot(page, "reflect-role-model-goal.png")
    page.get_by_role("button", name="Make it a commitment").click()
    expect(page.get_by_role("status").first).to_contain_text("now a weekly commitment")
    expect(page.get_by_role("link", name="On your Practice page")).to_be_visible()
    page.get_by_role("link", name="Invite them for a coffee chat").click()
    expect(page.get_by_label("Your message")).to_contain_text("Hi Rosa,")
    axe(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download the invite (.ics)").click()
    invite = Path(download_info.value.path()).read_bytes()
    [event] = Calendar.from_ical(invite).walk("VEVENT")
    assert str(event["SUMMARY"]) == "Coffee chat with Rosa"

    # An apology draft with gentle feedback.
    page.goto("/reflect/repair/")
    axe(page)
    page.get_by_role("link", name="Prepare an apology").click()
    page.get_by_label("2. Name the harm").fill("I'm sorry if you were offended by my joke.")
    page.get_by_role("button", name="Check my draft").click()
    expect(page.get_by_role("heading", name="Feedback on your draft")).to_be_visible()
    expect(page.get_by_text("makes the harm sound uncertain")).to_be_visible()
    axe(page)

    # A recognition note to Noor.
    page.goto("/reflect/notes/new")
    axe(page)
    page.get_by_label("Find people").fill("Noor")  # found by name: no list of everyone
    page.get_by_label("Noor Haddad").check()
    page.get_by_label("Recognition: you showed up for me when…").check()
    page.get_by_label("Your note").fill("You stood up for my idea in the review. Thank you.")
    page.get_by_role("button", name="Send privately").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notes you sent")
    axe(page)

    # Download everything.
    page.goto("/reflect/my-data/")
    axe(page)
    page.get_by_role("button", name="Prepare my data").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as JSON").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["journal"][0]["body"] == "My teammate covered for me on Friday."
    assert data["role_models"][0]["growth_goals"] == ["Ask quieter colleagues first"]
    assert data["notes"]["sent"][0]["text"].startswith("You stood up for my idea")
    entry = JournalEntry.objects.get(person__email="participant@example.com")

    # Noor reads the note; the program admin cannot reach the journal entry.
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "both@example.com")
    page.goto("/reflect/notes/")
    expect(page.get_by_text("You stood up for my idea in the review.")).to_be_visible()
    axe(page)
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, "admin@example.com")
    response = page.goto(f"/reflect/journal/{entry.pk}/")
    assert response is not None and response.status == 404
    expect(page.get_by_text("My teammate covered for me")).to_have_count(0)


@pytest.mark.parametrize(
    ("viewport", "rows"),
    [({"width": 1280, "height": 800}, 1), ({"width": 390, "height": 844}, 6)],
    ids=["desktop", "phone"],
)
def test_each_part_of_the_map_offers_its_six_answers_in_one_row_or_one_a_line(
    viewport: dict[str, int],
    rows: int,
    open_page: Callable[..., Page],
    axe: AccessibilityChecker,
    demo: Organisation,
) -> None:
    page = open_page(viewport=viewport)
    sign_in(page, "participant@example.com")
    page.goto("/reflect/map/")
    answers = page.locator("fieldset.scale").first.locator("li")
    expect(answers).to_have_count(6)  # "Leave out", then 1 to 5
    boxes = [answers.nth(n).bounding_box() for n in range(6)]
    # Side by side on a wide screen; on a phone a line each, never words broken mid-way.
    assert len({round(box["y"]) for box in boxes if box}) == rows, boxes
    for label in answers.locator("label").all():
        assert label.evaluate("e => e.scrollWidth <= e.clientWidth")
    axe(page)
