"""Insights as a program admin and a facilitator meet them in the demo: the admin opens the
dashboard, reads what changed since baseline with its confidence interval, sees suppressed
cells explained, exports the CSV and checks the audit list; the facilitator sees only her
cohorts; a participant answers the safety pulse from the home page. axe-core on each page."""

from __future__ import annotations

import csv
import io
import re

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser


def test_an_admin_reads_the_demo_insights_and_exports_them(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "admin@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    page.get_by_label("Period").select_option("12m")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=12m"))
    page.wait_for_load_state()
    axe(page, dark_too=True)
    growth = page.get_by_role("region", name="Growth since baseline")
    expect(
        growth.get_by_role("img", name="Mean change in self-rating since baseline, by practice")
    ).to_be_visible()
    table = growth.get_by_role("table", name="Change from baseline to latest self-rating")
    expect(table.get_by_role("columnheader", name="95% CI of the change")).to_be_visible()
    curiosity = table.get_by_role("row", name="Deep curiosity")
    expect(curiosity).to_contain_text(" to ")
    screenshot(page, "insights-organisation.png")

    # A cohort of three: its numbers are hidden, and the page says why.
    page.get_by_label("View").select_option(label="Cohort: Pilot trio")
    page.get_by_role("button", name="Show").click()
    enrolled = page.get_by_role("table", name="Participation").get_by_role(
        "row", name="Enrolled now"
    )
    expect(enrolled.get_by_role("cell").first).to_have_text("fewer than 5")
    page.get_by_text("How these numbers protect people").click()
    expect(page.get_by_text("No number here describes fewer than 5 people.")).to_be_visible()
    axe(page)
    screenshot(page, "insights-small-cohort.png")

    page.get_by_label("View").select_option(label="The whole organisation")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".insights-scope")).to_contain_text("Demo Organisation")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these tables as CSV").click()
    with open(download.value.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert ["View", "Demo Organisation"] in rows
    assert any(row and row[0] == "Deep curiosity" for row in rows)

    page.get_by_role("link", name="Who looked at insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Who looked at insights")
    expect(page.get_by_role("cell", name="CSV export")).to_be_visible()
    axe(page)
    screenshot(page, "insights-audit.png")


def test_a_facilitator_sees_only_her_cohorts(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "facilitator@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    view = page.get_by_label("View")
    expect(view.locator("option")).to_have_text(["Cohort: Pilot trio", "Cohort: Spring circle"])
    view.select_option(label="Cohort: Spring circle")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Spring circle")).to_be_visible()
    axe(page)
    screenshot(page, "insights-facilitator.png")
    page.get_by_role("link", name="Psychological-safety pulses").click()
    expect(page.get_by_label("Who is asked").locator("option")).to_have_count(2)
    axe(page)
    screenshot(page, "insights-pulses.png")


def test_a_participant_answers_the_safety_pulse_in_under_a_minute(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.get_by_role("link", name="Answer the pulse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("How safe does it feel here?")
    axe(page)
    for group in page.get_by_role("group").all():
        group.get_by_label("Agree", exact=True).check()
    screenshot(page, "insights-pulse-answer.png")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Your answers are stored apart from your name.")).to_be_visible()
    expect(page.get_by_role("link", name="Answer the pulse")).to_have_count(0)
