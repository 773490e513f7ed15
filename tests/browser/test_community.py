"""Community spaces as people meet them: the facilitator sets up an allies' space and a
community group's protected space; a group member accepts the guidelines and posts; someone
flags the post and the facilitator hides it with a reason; the person in both spaces and a
person in neither see exactly what they should. axe-core checks each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.community.models import ModerationAction, Post, Space

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

ALLIES = "Allies circle"
PROTECTED = "Disability Network circle"
POST_TEXT = "Please switch on captions by default in every video call."


def open_community(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Community", exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Community")


def switch_to(page: Page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def test_spaces_guidelines_moderation_and_who_sees_what(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    # The facilitator sets up both spaces; a missing group gets a clear message.
    sign_in(page, "facilitator@example.com")
    open_community(page)
    axe(page, dark_too=True)
    page.get_by_role("link", name="Create a space").click()
    page.get_by_label("Name").first.fill(ALLIES)
    page.get_by_label("Everyone taking part in the program").check()
    page.get_by_role("button", name="Create the space").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(ALLIES)
    axe(page)
    open_community(page)
    page.get_by_role("link", name="Create a space").click()
    page.get_by_label("Name").first.fill(PROTECTED)
    page.get_by_label("The members of one community group").check()
    page.get_by_role("button", name="Create the space").click()
    expect(page.get_by_text("Choose the community group this space is for.")).to_be_visible()
    axe(page)
    screenshot(page, "community-space-form-error.png")
    page.locator("#id_group").select_option(label="Disability Network")
    page.get_by_role("button", name="Create the space").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROTECTED)
    expect(page.get_by_text("Protected space")).to_be_visible()

    # The group member accepts the guidelines before their first post, then posts.
    switch_to(page, "member@example.com")
    open_community(page)
    expect(page.get_by_role("link", name=PROTECTED)).to_be_visible()
    expect(page.get_by_role("link", name=ALLIES)).to_have_count(0)
    page.get_by_role("link", name=PROTECTED).click()
    # Sam leads the group: the space reaches its other members only once he opens it.
    page.get_by_role("button", name="Open it to the members of Disability Network").click()
    expect(page.get_by_text("can see “Disability Network circle” now")).to_be_visible()
    page.get_by_role("link", name="Start a thread").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("How we look after each other")
    axe(page)
    screenshot(page, "community-guidelines.png")
    page.get_by_role("button", name="I have read these and will follow them").click()
    page.get_by_label("Title").fill("Captions, please")
    page.get_by_label("Your post").fill(POST_TEXT)
    page.get_by_role("button", name="Post").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Captions, please")
    page.get_by_role("button", name="Thank you 0").click()
    expect(page.get_by_role("button", name="Thank you 1")).to_have_attribute("aria-pressed", "true")
    axe(page, dark_too=True)
    screenshot(page, "community-thread.png")

    # Noor, in both spaces, sees both and flags the post.
    switch_to(page, "both@example.com")
    open_community(page)
    expect(page.get_by_role("link", name=PROTECTED)).to_be_visible()
    expect(page.get_by_role("link", name=ALLIES)).to_be_visible()
    screenshot(page, "community-index-both.png")
    page.get_by_role("link", name=PROTECTED).click()
    page.get_by_role("link", name="Captions, please").click()
    page.get_by_role("link", name="Flag this post by Sam Chen").click()
    axe(page)
    page.get_by_label("What worries you").fill("It names a team that is not in this space.")
    page.get_by_role("button", name="Send to the facilitators").click()
    expect(page.get_by_text("A facilitator of this space will look at it")).to_be_visible()

    # The facilitator hides it with a reason, from the queue.
    switch_to(page, "facilitator@example.com")
    open_community(page)
    page.get_by_role("link", name=PROTECTED).click()
    page.get_by_role("link", name="Moderation queue (1 waiting)").click()
    expect(page.get_by_text("It names a team that is not in this space.")).to_be_visible()
    axe(page)
    screenshot(page, "community-queue.png")
    page.get_by_role("link", name="Decide about this post").click()
    page.get_by_label("Hide the post").check()
    page.get_by_label("Your reason (the author sees it)").fill(
        "Let's keep other teams' names out; please post again without it."
    )
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_role("heading", level=2, name="Waiting for you (0)")).to_be_visible()
    assert Post.objects.get(space__name=PROTECTED).status == Post.Status.HIDDEN
    assert ModerationAction.objects.filter(kind="hide").count() == 1
    page.goto("/community/moderation-log/")
    decision = page.get_by_role("row", name="Hid a post")
    expect(decision).to_contain_text(f"{PROTECTED} (protected space)")
    expect(decision).to_contain_text("please post again without it")
    axe(page)
    screenshot(page, "community-log-facilitator.png")

    # The author sees the reason; never who flagged.
    switch_to(page, "member@example.com")
    page.goto(f"/community/{Space.objects.get(name=PROTECTED).pk}/")
    page.get_by_role("link", name="Captions, please").click()
    expect(page.get_by_text("please post again without it")).to_be_visible()
    expect(page.get_by_text("Noor")).to_have_count(0)
    axe(page)
    screenshot(page, "community-hidden-for-author.png")

    # Alex (allies only) never sees the protected space, nor finds its words.
    switch_to(page, "participant@example.com")
    open_community(page)
    expect(page.get_by_role("link", name=ALLIES)).to_be_visible()
    expect(page.get_by_text(PROTECTED)).to_have_count(0)
    expect(page.get_by_text("Disability Network space")).to_have_count(0)
    page.get_by_label("Search the spaces you are in").fill("captions")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing matches in the spaces you are in.")).to_be_visible()
    axe(page)

    # Jordan (program admin only) is in neither; the log shows no trace of either.
    switch_to(page, "admin@example.com")
    open_community(page)
    expect(page.get_by_text("You are not in any space yet.")).to_be_visible()
    page.get_by_role("link", name="Moderation log").click()
    expect(page.get_by_text("No moderation in the spaces you can see.")).to_be_visible()
    expect(page.get_by_role("cell", name="A protected space")).to_have_count(0)
    expect(page.get_by_text("Hid a post")).to_have_count(0)
    expect(page.get_by_text("post again without it")).to_have_count(0)
    axe(page)
    screenshot(page, "community-log-admin.png")
    response = page.goto(f"/community/{Space.objects.get(name=PROTECTED).pk}/")
    assert response is not None and response.status == 404


def test_the_demo_polls_one_open_without_results_one_closed_with_its_tally(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "participant@example.com")
    open_community(page)
    page.get_by_role("link", name="Allies' space").click()
    page.get_by_role("link", name="Which defense resonates most with you?").click()
    expect(page.get_by_text("You have voted.")).to_be_visible()
    expect(page.get_by_text("Results appear when the poll closes")).to_be_visible()
    expect(page.get_by_role("link", name="Close the poll now…")).to_have_count(0)
    axe(page)
    screenshot(page, "community-poll.png")

    # The demo's other poll has closed: its tally is there, with no names.
    page.get_by_role("link", name="Allies' space").click()
    page.get_by_role("link", name="which repair step will you practise first?").click()
    results = page.get_by_role("table")
    expect(results.get_by_role("row")).to_have_count(5)
    expect(results.get_by_role("row").nth(1)).to_contain_text("6")
    expect(results.get_by_role("row").nth(1)).to_contain_text("29%")
    expect(page.get_by_text("21 votes")).to_be_visible()
    axe(page)
    screenshot(page, "community-poll-closed.png")


def test_a_hidden_opening_post_takes_its_thread_along_and_the_flagger_hears_back(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    from bridgework.accounts.models import Person
    from bridgework.community import services

    allies = Space.objects.get(organisation=demo, name="Allies' space")
    alex = Person.objects.get(email="participant@example.com")
    thread = services.start_thread(
        space=allies, author=alex, title="Zz lunch plans", body="Zz words that name a colleague."
    )
    thread_path = f"/community/threads/{thread.pk}/"

    # Noor flags the opening post.
    sign_in(page, "both@example.com")
    page.goto(thread_path)
    page.get_by_role("link", name="Flag this post by Alex Rivera").click()
    page.get_by_label("What worries you").fill("It names someone who is not here.")
    page.get_by_role("button", name="Send to the facilitators").click()

    # Fatima hides it, with a reason that ends in its own full stop.
    switch_to(page, "facilitator@example.com")
    page.goto(thread_path)
    page.get_by_role("link", name="Hide this post").click()
    page.get_by_label("Hide the post").check()
    page.get_by_label("Your reason (the author sees it)").fill(
        "It names a colleague; please talk to them directly."
    )
    page.get_by_role("button", name="Save the decision").click()
    expect(page.get_by_text("This thread is hidden from the space.")).to_be_visible()
    page.goto(f"/community/{allies.pk}/")
    expect(page.get_by_text("Hidden from the space")).to_be_visible()
    axe(page)

    # Noor no longer sees the thread, not even its title, and learns the outcome in the app.
    switch_to(page, "both@example.com")
    open_community(page)
    expect(page.get_by_text("Zz lunch plans")).to_have_count(0)
    page.goto(f"/community/{allies.pk}/")
    expect(page.get_by_text("Zz lunch plans")).to_have_count(0)
    assert page.goto(thread_path).status == 404  # type: ignore[union-attr]
    page.goto("/community/notifications/")
    told = page.get_by_text("A post you flagged in Allies' space was hidden by a facilitator.")
    expect(told).to_be_visible()
    expect(page.get_by_text("directly")).to_have_count(0)  # the reason is the author's
    axe(page)
    screenshot(page, "community-flagger-told.png")

    # Alex, the author, still reads the thread, with the reason in one clean sentence.
    switch_to(page, "participant@example.com")
    page.goto(thread_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Zz lunch plans")
    expect(page.get_by_text("only you and the space's facilitators can open it")).to_be_visible()
    notice = page.locator(".community-post__notice")
    expect(notice).to_contain_text("please talk to them directly. Only you and the facilitators")
    assert ".." not in page.locator("main").inner_text()
    axe(page)
    screenshot(page, "community-withheld-thread-author.png")


def test_only_the_groups_members_are_offered_to_write_an_ask(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    protected = Space.objects.get(organisation=demo, name="Disability Network space")
    sign_in(page, "facilitator@example.com")
    page.goto("/community/asks/")
    expect(page.get_by_role("link", name="Write an ask in Disability Network space")).to_have_count(
        0
    )
    page.goto(f"/community/{protected.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Disability Network space")
    expect(page.get_by_role("link", name="Write an ask for allies")).to_have_count(0)
    expect(page.get_by_role("link", name="Moderation queue")).to_be_visible()
    axe(page)
    switch_to(page, "member@example.com")
    page.goto(f"/community/{protected.pk}/")
    expect(page.get_by_role("link", name="Write an ask for allies")).to_be_visible()
