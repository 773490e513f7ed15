"""The one-click check-in link from a reminder, as its owner and as anyone else holding the
e-mail meet it: it checks in once, later shows the answer recorded, asks for sign-in to
change it, and never shows or touches the owner's private note. Signed-in pages tell the
browser not to keep them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, Response, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.habits import Cadence
from bridgework.practice import reminders, services
from bridgework.practice.models import CheckIn, Commitment

from .helpers import DEMO_PASSWORD, AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

TITLE = "Ask Dana how the reorg is landing"
NOTE = "Harder than I thought; Dana was kind about it"


def weekly_link(person: Person) -> tuple[Commitment, str]:
    commitment = services.commit(
        person=person, title=TITLE, practice="deep-curiosity", courage=1, cadence=Cadence.WEEKLY
    )
    period = commitment.period_on(commitment.started_on)
    assert period is not None
    return commitment, f"/check-in/{reminders.check_in_token(commitment, period)}/"


def test_a_check_in_link_checks_in_once_and_changing_it_needs_sign_in(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    owner = Person.objects.get(email="participant@example.com")
    commitment, link = weekly_link(owner)

    # Anyone with the e-mail: one press checks in, without the commitment's words.
    page.goto(link)
    expect(page.get_by_text(TITLE)).to_have_count(0)
    axe(page)
    page.get_by_role("button", name="Not yet").click()
    expect(page.get_by_role("status")).to_contain_text("Thanks — checked in as “not yet”")
    axe(page)

    # The same link again: used, nothing to press, and not the answer (it is the owner's).
    page.goto(link)
    expect(page.get_by_role("status")).to_contain_text("This link has been used")
    expect(page.get_by_role("main")).not_to_contain_text("not yet")
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
    axe(page, dark_too=True)

    # Signing in from there brings the owner back to change it, with a note.
    page.get_by_role("main").get_by_role("link", name="Sign in", exact=True).click()
    page.locator("input[name=login]").fill(owner.email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(TITLE)).to_be_visible()
    expect(page.get_by_text("You can change it here")).to_be_visible()
    axe(page)
    page.get_by_label("A private note (optional)").fill(NOTE)
    page.get_by_role("button", name="Done", exact=True).click()
    expect(page.get_by_text("Thanks — checked in as “done”")).to_be_visible()
    screenshot(page, "practice-check-in-link-owner.png")

    # Someone else pressing "Not yet" later changes nothing and sees no note.
    stranger = page.context.browser.new_context(base_url=page.url.split("/check-in/")[0])  # type: ignore[union-attr]
    other = stranger.new_page()
    other.goto(link)
    expect(other.get_by_role("status")).to_contain_text("This link has been used")
    expect(other.get_by_role("main")).not_to_contain_text("done")
    expect(other.get_by_text(NOTE)).to_have_count(0)
    screenshot(other, "practice-check-in-link-again.png")
    stranger.close()

    check_in = CheckIn.objects.get(commitment=commitment)
    assert (check_in.outcome, check_in.note) == ("done", NOTE)


def test_signed_in_pages_are_not_kept_by_the_browser_but_static_files_are(
    page: Page, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    answers: list[Response] = []
    page.on("response", lambda answer: answers.append(answer))

    response = page.goto("/reflect/journal/")

    assert response is not None
    assert response.headers["cache-control"] == "private, no-store"
    static = [answer for answer in answers if "/static/" in answer.url]
    assert static, "the page loads its style sheet"
    assert all("no-store" not in answer.headers.get("cache-control", "") for answer in static)


def test_an_own_commitment_names_its_practice(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/practice/commit/")
    page.get_by_label("What will you do?").fill(TITLE)
    page.get_by_label("Which practice is it closest to? (optional)").select_option(
        label="Honest introspection"
    )
    axe(page)
    screenshot(page, "practice-commit-own.png")
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")

    owner = Person.objects.get(email="participant@example.com")
    made = Commitment.objects.filter(person=owner).latest("created_at")
    assert made.practice == "honest-introspection"
