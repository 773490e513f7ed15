"""The practice loop as a new participant meets it: assess, choose a defense, plan, get one
suggestion, commit weekly, check in, pause, resume, and see growth after a second
assessment. axe-core checks every page on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.practice.models import ActionPlan, Assessment, CheckIn, Commitment

from .helpers import AccessibilityChecker, sign_in

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
