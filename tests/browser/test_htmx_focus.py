"""Where the keyboard is after htmx swaps part of a page: at the first field in error when the
swapped part holds a form with errors, as after a full page load; otherwise where it was, on
the button just pressed. axe-core checks the page with the errors shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.cohorts.models import Session

from .helpers import AccessibilityChecker, sign_in

pytestmark = pytest.mark.browser


def test_a_preview_in_error_takes_the_keyboard_to_the_field_and_a_good_one_leaves_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "facilitator@example.com")
    page.goto("/learn/allyship-foundations/edit")
    assert page.evaluate("document.activeElement === document.body")  # no error, no focus
    overview = page.get_by_label("Overview (Markdown)")
    preview = page.get_by_role("button", name="Preview")

    overview.fill("   ")
    preview.click()
    expect(page.locator(".field--invalid")).to_contain_text("Write at least a short overview.")
    expect(overview).to_be_focused()
    expect(overview).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # the form, not a page
    axe(page)

    # A good preview takes the error away with it; the keyboard stays on the button.
    overview.fill("## Start here\n\nAllyship is **practice**.")
    preview.click()
    expect(page.locator("#preview").get_by_role("heading", name="Start here")).to_be_visible()
    expect(page.locator(".field--invalid")).to_have_count(0)
    expect(overview).not_to_have_attribute("aria-invalid", "true")
    expect(overview).to_have_value("## Start here\n\nAllyship is **practice**.")
    expect(preview).to_be_focused()


def test_a_check_in_keeps_the_keyboard_on_the_button_pressed(
    page: Page, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/practice/")
    done = page.locator(".check-in").first.get_by_role("button", name="Done", exact=True)
    done_id = done.get_attribute("id")
    done.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Checked in. Every check-in counts.")).to_be_visible()
    expect(page.locator(f"#{done_id}")).to_be_focused()


def test_notes_too_long_show_the_error_beside_them_and_keep_them_until_they_fit(
    page: Page, axe: AccessibilityChecker, demo: Organisation, tmp_path: Path
) -> None:
    """The server checks the length whatever the browser let through: the facilitator sees
    why, beside the notes, with every word still there, and not the facilitate page inside
    the status line. (The box's maxlength is taken away here to send more than it allows.)"""
    session = Session.objects.filter(cohort__name="Spring circle").order_by("number").first()
    assert session is not None
    sign_in(page, "facilitator@example.com")
    page.goto(f"/cohorts/sessions/{session.pk}/facilitate")
    notes = page.get_by_label("Your private notes")
    save = page.get_by_role("button", name="Save notes")
    typed = "Noor goes first.\n" * 600  # 10,200 characters

    notes.evaluate("box => box.removeAttribute('maxlength')")
    notes.fill(typed)
    save.click()
    expect(page.locator(".field--invalid")).to_contain_text("at most 10000 characters")
    expect(notes).to_be_focused()
    expect(notes).to_have_value(typed)
    expect(page.get_by_role("heading", level=1)).to_have_count(1)  # the form, not a page
    expect(page.locator("#note-status")).to_be_empty()
    axe(page)
    page.screenshot(path=str(tmp_path / "notes-too-long.png"), full_page=True, caret="initial")

    # Shortened, they save, and the error goes.
    notes.fill("Noor offered to go first next time.")
    save.click()
    expect(page.locator("#note-status")).to_contain_text("Saved at")
    expect(page.locator(".field--invalid")).to_have_count(0)
    expect(notes).to_have_value("Noor offered to go first next time.")
    axe(page)


def test_checking_a_draft_too_long_shows_the_error_beside_the_part_then_the_feedback(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/reflect/repair/new")
    harm = page.get_by_label("2. Name the harm")
    check = page.get_by_role("button", name="Check my draft")

    harm.evaluate("box => box.removeAttribute('maxlength')")
    harm.fill("I talked over you. " * 200)
    check.click()
    expect(page.locator(".field--invalid")).to_contain_text("at most 3000 characters")
    expect(harm).to_be_focused()
    expect(page.locator("#feedback")).to_be_empty()
    axe(page)

    harm.fill("I talked over you in the meeting, and your idea was lost.")
    check.click()
    expect(page.get_by_role("heading", name="Feedback on your draft")).to_be_visible()
    expect(page.locator(".field--invalid")).to_have_count(0)
    expect(harm).to_have_value("I talked over you in the meeting, and your idea was lost.")
    expect(check).to_be_focused()
