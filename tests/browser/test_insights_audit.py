"""A program admin reads a long insights audit list: narrows it to CSV exports in one month,
pages back through it and clears the filters. axe-core on each page."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.insights.audit import PER_PAGE
from bridgework.insights.models import AuditEntry, Period

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

MARCH = datetime(2026, 3, 2, 9, tzinfo=UTC)
APRIL = datetime(2026, 4, 6, 9, tzinfo=UTC)


def looked(organisation: Organisation, person: Person, start: datetime, kind: str, n: int) -> None:
    AuditEntry.objects.bulk_create(
        AuditEntry(
            organisation=organisation,
            person=person,
            at=start + timedelta(hours=hour),
            view="organisation",
            period=Period.QUARTER,
            format=kind,
        )
        for hour in range(n)
    )


def test_an_admin_narrows_and_pages_through_a_long_audit_list(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    admin = Person.objects.get(email="admin@example.com")
    facilitator = Person.objects.get(email="facilitator@example.com")
    looked(demo, admin, MARCH, AuditEntry.Format.PAGE, PER_PAGE)
    looked(demo, facilitator, MARCH, AuditEntry.Format.CSV, PER_PAGE + 4)
    looked(demo, admin, APRIL, AuditEntry.Format.CSV, 3)

    sign_in(page, "admin@example.com")
    page.goto("/insights/audit/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at insights")
    expect(page.get_by_role("navigation", name="Audit list pages")).to_contain_text("Page 1 of 3")
    axe(page, dark_too=True)

    page.get_by_label("What").select_option(label="CSV exports")
    page.get_by_label("Month").select_option(label="March 2026")
    # From the month list, Tab reaches the button and Enter sends the form.
    page.get_by_label("Month").press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("table")).to_contain_text(f"{PER_PAGE + 4} entries matching")
    expect(page.get_by_role("table").get_by_role("cell", name="Page", exact=True)).to_have_count(0)
    axe(page)
    screenshot(page, "insights-audit-filtered.png")

    page.get_by_role("link", name="Older").click()
    expect(page.get_by_role("navigation", name="Audit list pages")).to_contain_text("Page 2 of 2")
    # The filters stay chosen on the next page.
    expect(page.get_by_label("What")).to_have_value("csv")
    expect(page.get_by_label("Month")).to_have_value("2026-03")
    expect(page.locator("tbody tr")).to_have_count(4)

    page.get_by_role("link", name="Show everything").click()
    expect(page.get_by_label("Month")).to_have_value("")
    expect(page.get_by_role("navigation", name="Audit list pages")).to_contain_text("Page 1 of 3")
    axe(page)
