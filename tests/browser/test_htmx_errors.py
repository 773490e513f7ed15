"""An htmx request that fails says so: the page may be out of date (the object is gone since
the page was shown), the person is signed out (the answer was the sign-in page, which is not
put inside the page), or Bridgework could not be reached. The words come from the page, in
its language, in a live region; axe-core checks the page with the message shown."""

from __future__ import annotations

import re

import pytest
from django.contrib.sessions.models import Session
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.practice.models import Commitment

from .conftest import PageProblems
from .helpers import AccessibilityChecker, sign_in

pytestmark = pytest.mark.browser

OUT_OF_DATE = "That did not work: the page may be out of date. Reload the page and try again."
SIGNED_OUT = (
    "That did not work: you are signed out. Reload the page to sign in again, then try again."
)
UNREACHABLE = (
    "That did not work: Bridgework could not be reached. Check your connection and try again."
)


def first_check_in(page: Page) -> tuple[int, str]:
    """The first commitment on the practice page that takes a check-in, and its address."""
    action = page.locator("form.check-in").first.get_attribute("action") or ""
    found = re.fullmatch(r"/practice/commitments/(\d+)/check-in", action)
    assert found, action
    return int(found.group(1)), action


def forgive(problems: PageProblems, path: str) -> None:
    """What this test broke on purpose is not the page's fault: the failed request's status,
    and htmx's own report of it on the console."""
    caused = [e for e in problems.errors if path in e or "htmx:" in e]
    assert caused, "the request did fail"
    problems.errors[:] = [e for e in problems.errors if e not in caused]


def test_a_check_in_on_a_commitment_deleted_since_the_page_was_shown_says_to_reload(
    page: Page, axe: AccessibilityChecker, demo: Organisation, page_problems: PageProblems
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/practice/")
    commitment_id, path = first_check_in(page)
    card = page.locator(f"#commitment-{commitment_id}")
    said = page.locator("#request-problem[aria-live=polite]")
    expect(said).to_be_empty()

    Commitment.objects.filter(pk=commitment_id).delete()
    card.get_by_role("button", name="Done", exact=True).click()

    expect(said).to_have_text(OUT_OF_DATE)
    expect(said).to_be_in_viewport()
    expect(card).to_be_visible()  # the card as it was: nothing was swapped in
    forgive(page_problems, path)
    axe(page, dark_too=True)


def test_a_check_in_after_the_session_ended_says_to_sign_in_again(
    page: Page, axe: AccessibilityChecker, demo: Organisation, page_problems: PageProblems
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/practice/")
    commitment_id, path = first_check_in(page)
    card = page.locator(f"#commitment-{commitment_id}")

    Session.objects.all().delete()
    card.get_by_role("button", name="Done", exact=True).click()

    expect(page.locator("#request-problem")).to_have_text(SIGNED_OUT)
    # The sign-in page that came back is not put inside the card.
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(card.get_by_role("button", name="Done", exact=True)).to_be_visible()
    forgive(page_problems, path)
    axe(page)

    # Reloading goes to sign in, and back to the page after it.
    page.reload()
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/practice/"))


def test_a_check_in_that_cannot_reach_bridgework_says_so_and_a_later_one_clears_it(
    page: Page, demo: Organisation, page_problems: PageProblems
) -> None:
    sign_in(page, "participant@example.com")
    page.goto("/practice/")
    commitment_id, path = first_check_in(page)
    done = page.locator(f"#check-in-{commitment_id}-done")
    said = page.locator("#request-problem")

    page.route(f"**{path}", lambda route: route.abort())
    done.click()
    expect(said).to_have_text(UNREACHABLE)

    page.unroute(f"**{path}")
    page.locator(f"#check-in-{commitment_id}-done").click()
    expect(page.get_by_text("Checked in. Every check-in counts.")).to_be_visible()
    expect(said).to_be_empty()
    forgive(page_problems, path)
