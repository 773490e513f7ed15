"""Resources and brokered asks as people meet them.

A participant suggests a resource and a facilitator vets it against the rubric; then Sam
writes an ask in the Disability Network's space, the facilitator rewords it for allies (the
check refuses his name), Sam approves the wording, a participant takes it on as a
commitment, Sam sees the count and withdraws the ask.
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


def test_a_facilitator_does_not_vet_their_own_suggestion(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "facilitator@example.com")
    page.goto("/community/resources/suggest")
    page.get_by_label("What is it?").select_option("Article")
    page.get_by_label("Title").fill("Meeting notes everyone can read")
    page.get_by_label("Link").fill("https://example.org/notes")
    page.get_by_label("Why it helped you").fill("It changed how I share notes after meetings.")
    page.get_by_role("button", name="Send for review").click()
    page.goto("/community/resources/review/")
    card = page.locator(".resource", has_text="Meeting notes everyone can read")
    expect(card).to_contain_text("You suggested this, so another facilitator reviews it.")
    expect(card.get_by_role("link", name="Review")).to_have_count(0)
    # Fatima is the demo's only facilitator, so the page says nobody can review it yet.
    expect(
        page.get_by_text("Nobody else in your organisation is a facilitator yet")
    ).to_be_visible()
    axe(page)
    screenshot(page, "resources-review-own.png")
    resource = Resource.objects.get(title="Meeting notes everyone can read")
    page.goto(f"/community/resources/{resource.pk}/review")
    expect(page.get_by_role("button", name="Record the review")).to_have_count(0)
    axe(page)


def test_an_ask_goes_to_allies_only_in_words_its_author_approved(
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
        "Sam Chen here. With a screen reader I need slides before the meeting, not during it."
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
    ask = Ask.objects.get(pk=int(ask_path.rstrip("/").split("/")[-1]))

    # The facilitator writes the wording for allies from an empty form, beside the original.
    switch_to(page, "facilitator@example.com")
    page.goto("/" + ask_path)
    page.get_by_role("link", name="Propose wording to share with allies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share an ask with allies")
    original = page.locator(".ask-original")
    expect(original).to_contain_text("Sam Chen here. With a screen reader")
    expect(page.get_by_label("Title allies will see")).to_have_value("")
    expect(page.get_by_label("The ask, as allies will read it")).to_have_value("")
    axe(page)
    screenshot(page, "asks-publish-empty.png")
    page.get_by_label("Title allies will see").fill("Share slides a day ahead")
    page.get_by_label("The ask, as allies will read it").fill(
        "Sam uses a screen reader. Sharing slides the day before a meeting lets him follow."
    )
    page.get_by_label("I have removed names and details that could identify anyone").check()
    page.get_by_role("button", name="Send to the author for approval").click()
    error = page.locator("#id_body_error")
    expect(error).to_contain_text("These words could point to someone: “Sam”.")
    expect(page.get_by_label("The ask, as allies will read it")).to_have_attribute(
        "aria-invalid", "true"
    )
    axe(page)
    screenshot(page, "asks-publish-flagged.png")
    assert PublishedAsk.objects.count() == 1  # only the demo's own published ask
    page.get_by_label("The ask, as allies will read it").fill(
        "Some colleagues use screen readers. Sharing slides the day before a meeting lets "
        "them follow along."
    )
    page.get_by_label("I have removed names and details that could identify anyone").check()
    page.get_by_role("button", name="Send to the author for approval").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent to the author for approval")
    expect(page.get_by_role("heading", name="Waiting for Sam Chen's approval")).to_be_visible()
    axe(page)

    # Nothing reaches allies before Sam approves.
    switch_to(page, "participant@example.com")
    page.goto("/community/asks/")
    expect(page.get_by_role("link", name="Share slides a day ahead")).to_have_count(0)

    # Sam is told in the app, reads the exact wording and approves it.
    switch_to(page, "member@example.com")
    page.goto("/community/notifications/")
    expect(page.get_by_text("proposes wording to share your ask").first).to_be_visible()
    axe(page)
    page.goto("/community/asks/")
    approvals = page.get_by_role("region", name="Waiting for your approval")
    expect(approvals).to_be_visible()
    axe(page)
    screenshot(page, "asks-index-to-approve.png")
    approvals.get_by_role("link", name="Send slides the day before").click()
    proposal = page.locator(".ask-proposal")
    expect(proposal).to_contain_text("Sharing slides the day before a meeting lets them follow")
    axe(page)
    screenshot(page, "asks-approve.png")
    proposal.get_by_role("button", name="Approve and share").click()
    expect(page.get_by_role("status").first).to_contain_text("Shared with allies")
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
    expect(page.get_by_text("Sam")).to_have_count(0)
    axe(page)
    screenshot(page, "asks-published.png")
    titles = [c.title for c in Commitment.objects.filter(person__email="participant@example.com")]
    assert "Send my slides by 5 pm the day before" in titles

    # Sam sees a count, never names, and withdraws the ask; allies no longer see it.
    switch_to(page, "member@example.com")
    page.goto("/" + ask_path)
    expect(page.locator(".ask-aggregate")).to_have_text(
        "Fewer than 5 allies have taken this on so far."
    )
    expect(page.get_by_text("Alex")).to_have_count(0)
    axe(page)
    screenshot(page, "asks-group-aggregate.png")
    page.get_by_role("button", name="Withdraw it from allies").click()
    expect(page.get_by_role("status").first).to_contain_text("allies no longer see your ask")
    expect(page.get_by_text("You withdrew it")).to_be_visible()
    axe(page)

    switch_to(page, "participant@example.com")
    page.goto("/community/asks/")
    expect(page.get_by_role("link", name="Share slides a day ahead")).to_have_count(0)
    ask.refresh_from_db()
    assert ask.published is not None and not ask.published.is_live
