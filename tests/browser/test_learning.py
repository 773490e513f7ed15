"""A participant learns as a new user would: finds a tip for meetings, reads a lesson, marks
it done and answers its prompt privately. axe-core checks every page on the way."""

from __future__ import annotations

import re

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
