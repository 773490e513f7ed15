"""The program admin sets the organisation up from the app: the settings page explains a bad
domain next to the field, saves the rest, and lists which setting changed and by whom.
axe-core checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, SettingsChange

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_the_admin_sets_the_organisation_up_and_sees_the_audit(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "admin@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation settings")
    expect(page.get_by_text("No changes yet.")).to_be_visible()
    axe(page, dark_too=True)

    page.get_by_label("Time zone").fill("europe/lisbon")
    page.get_by_label("E-mail domains").fill("example.com\nhttps://example.org")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field--invalid")).to_contain_text("is not a domain name")
    axe(page)

    page.get_by_label("E-mail domains").fill("example.com\nexample.org")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_have_text("Settings saved.")
    changes = page.get_by_role("table", name="Recent changes to the settings, newest first")
    expect(changes).to_contain_text("Time zone")
    expect(changes).to_contain_text("E-mail domains")
    expect(page.get_by_label("Time zone")).to_have_value("Europe/Lisbon")
    axe(page, dark_too=True)
    screenshot(page, "organisation-settings.png")

    demo.refresh_from_db()
    assert demo.time_zone == "Europe/Lisbon"
    assert demo.email_domains == ["example.com", "example.org"]
    assert SettingsChange.objects.filter(organisation=demo).count() == 2
