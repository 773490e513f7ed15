"""Resources and brokered asks as people meet them.

A participant suggests a resource and a facilitator vets it against the rubric; then Sam
writes an ask in the Disability Network's space, the facilitator publishes it to the allies
without his name, a participant takes it on as a commitment, and Sam sees the count.
axe-core checks every page; screenshots go to docs/screenshots/.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.asks.models import Ask, PublishedAsk
from bridgework.practice.models import Commitment
from bridgework.resources.models import Resource

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser


def switch_to(page: Page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def test_a_resource_is_suggested_and_vetted(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Community", exact=True
    ).click()
    page.get_by_role("link", name="Vetted resources").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resources")
    axe(page, dark_too=True)
    screenshot(page, "resources-list.png")
    page.get_by_role("link", name="Suggest one").click()
    axe(page)
    page.get_by_label("What is it?").select_option("Podcast")
    page.get_by_label("Title").fill("“Hidden Brain”: the episode on listening")
    page.get_by_label("Link").fill("javascript:alert(1)")
    page.get_by_label("Why it helped you").fill(
        "It made me notice how often I plan my reply instead of listening."
    )
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_text("Give a web address starting https://")).to_be_visible()
    axe(page)
    page.get_by_label("Link").fill("https://hiddenbrain.org/")
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your suggestions")
    expect(page.get_by_text("Waiting for review").first).to_be_visible()
    axe(page)

    switch_to(page, "facilitator@example.com")
    page.goto("/community/resources/")
    page.get_by_role("link", name="Review suggestions").first.click()
    axe(page)
    page.get_by_role("link", name="Review “Hidden Brain”: the episode on listening").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hidden Brain")
    axe(page)
    page.get_by_label("Credible source").check()
    page.get_by_label("Grounded in evidence").check()
    page.get_by_label("Approve: it meets every criterion").check()
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("vetted only when it meets every criterion")).to_be_visible()
    axe(page)
    for label in ("Respectful", "No bias score", "Accessible"):
        page.get_by_label(label, exact=True).check()
    screenshot(page, "resources-review.png")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status").first).to_contain_text("is now vetted")

    switch_to(page, "both@example.com")
    page.goto("/community/resources/?kind=podcast")
    card = page.locator(".resource", has_text="Hidden Brain")
    expect(card.get_by_text("Vetted")).to_be_visible()
    expect(card).to_contain_text("by a facilitator on")
    axe(page)
    screenshot(page, "resources-vetted.png")
    assert Resource.objects.get(title__contains="Hidden Brain").status == Resource.Status.VETTED


def test_an_ask_goes_from_the_group_to_allies_and_back_as_a_count(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "member@example.com")
    page.goto("/community/asks/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Asks")
    axe(page, dark_too=True)
    page.get_by_role("link", name="Write an ask in Disability Network space").click()
    axe(page)
    page.get_by_label("In a line: what would help?").fill("Send slides the day before")
    page.get_by_label("Say more").fill(
        "Sam here. With a screen reader I need slides before the meeting, not during it."
    )
    # Sam accepted the space's guidelines with his first post in the demo; otherwise the
    # form asks first.
    accept = page.get_by_label("I have read this space's guidelines and will follow them")
    if accept.count():
        accept.check()
    page.get_by_role("button", name="Post the ask in Disability Network space").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Send slides the day before")
    expect(page.get_by_text("Not shared with allies yet.")).to_be_visible()
    axe(page)
    ask_path = page.url.split("://", 1)[1].split("/", 1)[1]

    switch_to(page, "facilitator@example.com")
    page.goto("/" + ask_path)
    page.get_by_role("link", name="Publish an anonymised version to allies").click()
    expect(page.get_by_text("Reword it so nobody can be recognised")).to_be_visible()
    axe(page)
    page.get_by_label("Title allies will see").fill("Share slides a day ahead")
    page.get_by_label("The ask, as allies will read it").fill(
        "Some colleagues use screen readers. Sharing slides the day before a meeting lets "
        "them follow along."
    )
    page.get_by_label("I have removed names and details that could identify anyone").check()
    screenshot(page, "asks-publish.png")
    page.get_by_role("button", name="Publish without names").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share slides a day ahead")
    axe(page)

    switch_to(page, "participant@example.com")
    page.goto("/community/asks/")
    page.get_by_role("link", name="Share slides a day ahead").click()
    expect(page.get_by_text("Sam")).to_have_count(0)
    axe(page)
    page.get_by_role("link", name="I'll do this").click()
    axe(page)
    page.get_by_label("What will you do?").fill("Send my slides by 5 pm the day before")
    page.get_by_label("Which practice is it?").select_option("Courageous responsibilities")
    page.get_by_label("Every week").check()
    page.get_by_label("A short note for this space (optional)").fill("From this week on.")
    page.get_by_role("button", name="Add it to my practice").click()
    expect(page.get_by_text("You said you'll do this.")).to_be_visible()
    expect(page.get_by_text("From this week on.")).to_be_visible()
    expect(page.get_by_text("Sam")).to_have_count(0)
    axe(page)
    screenshot(page, "asks-published.png")
    titles = [c.title for c in Commitment.objects.filter(person__email="participant@example.com")]
    assert "Send my slides by 5 pm the day before" in titles

    switch_to(page, "member@example.com")
    page.goto("/" + ask_path)
    expect(page.locator(".ask-aggregate")).to_have_text(
        "Fewer than 5 allies committed; none has checked in yet."
    )
    expect(page.get_by_text("Alex")).to_have_count(0)
    axe(page)
    screenshot(page, "asks-group-aggregate.png")
    page.goto("/community/asks/")
    axe(page)
    screenshot(page, "asks-index-member.png")
    ask = Ask.objects.get(pk=int(ask_path.rstrip("/").split("/")[-1]))
    assert ask.published is not None and PublishedAsk.objects.filter(pk=ask.published.pk).exists()
