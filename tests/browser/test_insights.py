"""Insights as a program admin and a facilitator meet them in the demo: the admin reads the
latest release with its plain-language guarantee and intervals, sees why a small cohort is
not released, exports the CSV with each number's noise scale, changes the privacy budget and
checks the audit list; the facilitator sees only her
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


def test_an_admin_reads_the_latest_release_exports_it_and_changes_the_budget(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "admin@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Insights").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Insights")
    # What a new admin sees first: the latest released months, with real figures.
    expect(page.get_by_label("Period")).to_have_value("3m")
    # The plain-language guarantee, with the size of the noise at this size.
    guarantee = page.locator(".insights-guarantee")
    expect(guarantee).to_contain_text("A little random noise is added to every number")
    expect(guarantee).to_contain_text(re.compile(r"within about ±\d+ of the truth"))
    participation = page.get_by_role("table", name="Participation")
    enrolled = participation.get_by_role("row", name="Enrolled (a month, on average)")
    expect(enrolled).to_contain_text(re.compile(r"\d+ ± \d+"))
    active = participation.get_by_role("row", name="Active (a month, on average)")
    expect(active).to_contain_text(re.compile(r"\d+% \(\d+% to \d+%\)"))
    practices = page.get_by_role("table", name="By practice")
    everything = practices.get_by_role("row", name="All practices")
    expect(everything).to_contain_text(re.compile(r"\d+% \(\d+% to \d+%\)"))
    axe(page, dark_too=True)
    screenshot(page, "insights-organisation.png")

    # The last closed month alone, and a cohort large enough to be released.
    page.get_by_label("Period").select_option("month")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"period=month"))
    expect(enrolled).to_contain_text(re.compile(r"\d+ ± \d+"))
    page.get_by_label("View").select_option(label="Cohort: Spring circle")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", name="Spring circle")).to_be_visible()
    expect(enrolled).to_contain_text(re.compile(r"\d+ ± \d+"))
    axe(page)
    screenshot(page, "insights-cohort.png")

    # A cohort of three is not released at all, and the page says why.
    page.get_by_label("View").select_option(label="Cohort: Pilot trio")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("This cohort is not released")).to_be_visible()
    page.get_by_text("How these numbers protect people").click()
    expect(page.get_by_text("The guarantee is differential privacy")).to_be_visible()
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
    header = rows.index(["Section", "Table", "Row", "Column", "Shown", "Noise scale (SD)"])
    enrolled_row = next(r for r in rows[header:] if r[2] == "Enrolled (a month, on average)")
    assert float(enrolled_row[5]) > 0

    # The budget: program admins change it within the floor and ceiling.
    page.get_by_role("link", name="Privacy budget and releases").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy budget and releases")
    expect(page.get_by_role("table", name="What each monthly release spent")).to_be_visible()
    budget = page.get_by_label("Monthly privacy budget (rho)")
    budget.fill("9")
    page.get_by_role("button", name="Save the budget").click()
    expect(page.get_by_text("Choose a budget from 0.05 to 2.")).to_be_visible()
    axe(page)
    page.get_by_label("Monthly privacy budget (rho)").fill("1")
    page.get_by_role("button", name="Save the budget").click()
    expect(page.get_by_text("The next monthly release uses this budget.")).to_be_visible()
    axe(page)
    screenshot(page, "insights-privacy.png")

    page.get_by_role("link", name="Back to insights").click()
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
