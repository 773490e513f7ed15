"""Where the keyboard is after htmx swaps part of a page: at the first field in error when the
swapped part holds a form with errors, as after a full page load; otherwise where it was, on
the button just pressed. axe-core checks the page with the errors shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation

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

    # The error stays on the page until the form is sent again, but the preview swapped in
    # now has none: the keyboard stays on the button.
    overview.fill("## Start here\n\nAllyship is **practice**.")
    preview.click()
    expect(page.locator("#preview").get_by_role("heading", name="Start here")).to_be_visible()
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
