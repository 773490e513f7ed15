"""Community-group membership as people meet it: the program admin invites two people into
the Disability Network and sees no names; one accepts from their home page with the keyboard,
the other declines; the group's lead is told and sees who is in it; a member who does not
lead sees neither names nor the list. axe-core checks each page."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Organisation,
)

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

GROUP = "Disability Network"


def switch_to(page: Page, email: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)


def press_with_keyboard(page: Page, name: str) -> None:
    """Reach the button with Tab (from the element before it) and press it with Enter."""
    button = page.get_by_role("button", name=name)
    button.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(button).to_be_focused()
    page.keyboard.press("Enter")


def test_an_invitation_joins_nobody_until_accepted_and_the_lead_is_told(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    group = CommunityGroup.objects.get(organisation=demo, name=GROUP)

    # The admin sees neither names nor a count, and invites two people.
    sign_in(page, "admin@example.com")
    page.goto("/people/groups/")
    expect(page.get_by_role("row", name=GROUP)).to_contain_text("By invitation")
    page.get_by_role("link", name=GROUP).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GROUP)
    main = page.locator("main")
    expect(main).to_contain_text("Who is in a group, and how many, is for the group's leads")
    expect(main).not_to_contain_text(re.compile(r"\d+\s+members?"))
    for name in ("Sam Chen", "Noor Haddad"):
        expect(main).not_to_contain_text(name)
    page.get_by_label("Their e-mail address").fill("nobody@example.com")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".field--invalid")).to_contain_text("Nobody in your organisation")
    # The invitation form is the page's second: the page comes back at the field in error.
    expect(page.get_by_label("Their e-mail address")).to_be_focused()
    expect(page.get_by_label("Their e-mail address")).to_be_in_viewport()
    axe(page)
    for email in ("participant@example.com", "facilitator@example.com"):
        page.get_by_label("Their e-mail address").fill(email)
        page.get_by_role("button", name="Send the invitation").click()
        expect(page.get_by_role("status")).to_contain_text(f"Invitation for {email} saved")
    axe(page, dark_too=True)
    screenshot(page, "group-admin-invites.png")
    assert GroupInvitation.objects.filter(group=group).count() == 2
    assert not GroupMembership.objects.filter(
        group=group, person__email__in=["participant@example.com", "facilitator@example.com"]
    ).exists()

    # Alex finds the invitation on their home page and accepts it with the keyboard.
    switch_to(page, "participant@example.com")
    invitation = page.get_by_role("region", name="An invitation to a community group")
    expect(invitation).to_contain_text(GROUP)
    axe(page, dark_too=True)
    screenshot(page, "group-invitation-home.png")
    press_with_keyboard(page, f"Accept the invitation to {GROUP}")
    expect(page.get_by_role("status")).to_have_text(
        f"You accepted the invitation to {GROUP}. You will be told once one of its leads has "
        "let you in, or not."
    )
    # Not in yet: the group's leads let people in (a program admin picks whom to invite).
    expect(invitation).to_contain_text("once one of the group's leads has let you in")
    groups_panel = page.get_by_role("region", name="Your community groups")
    expect(groups_panel.get_by_text(GROUP, exact=True)).to_have_count(0)
    axe(page)

    # Fatima declines from the groups page, also with the keyboard; nobody is told.
    switch_to(page, "facilitator@example.com")
    page.goto("/groups/")
    expect(page.get_by_role("region", name="An invitation to a community group")).to_be_visible()
    axe(page)
    press_with_keyboard(page, f"Decline the invitation to {GROUP}")
    expect(page.get_by_role("status")).to_contain_text(f"You declined the invitation to {GROUP}")
    expect(page).to_have_url("/groups/")
    axe(page)
    assert not GroupInvitation.objects.filter(group=group, person__email__startswith="fac").exists()

    # Sam leads the group: he is asked to let Alex in, does, and sees who is in it.
    switch_to(page, "member@example.com")
    page.goto("/community/notifications/")
    page.get_by_role(
        "link", name=re.compile("Someone accepted an invitation into a community group you lead")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Who is in {GROUP}")
    waiting = page.get_by_role("region", name="Waiting for a lead to let them in")
    expect(waiting).to_contain_text("Alex Rivera")
    expect(waiting).to_contain_text("invited to join")
    axe(page, dark_too=True)
    screenshot(page, "group-roster-waiting.png")
    # Turning someone away asks first; Sam thinks better of it.
    waiting.get_by_role("link", name="Turn away… Alex Rivera (they/them)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Turn Alex Rivera (they/them) away from {GROUP}?"
    )
    expect(page.get_by_role("button", name="Turn Alex Rivera away")).to_be_visible()
    axe(page)
    cancel = page.get_by_role("link", name="Cancel")
    cancel.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Who is in {GROUP}")
    expect(waiting).to_contain_text("Alex Rivera")
    press_with_keyboard(page, "Let them in Alex Rivera (they/them)")
    expect(page.get_by_role("status")).to_contain_text("is in the group now.")
    expect(page.get_by_role("region", name="Waiting for a lead to let them in")).to_have_count(0)
    for name in ("Alex Rivera", "Noor Haddad", "Sam Chen"):
        expect(page.get_by_role("row", name=name)).to_be_visible()
    expect(page.get_by_role("row", name="Fatima Okafor")).to_have_count(0)
    axe(page, dark_too=True)
    screenshot(page, "group-roster-lead.png")

    # Noor is a member but not a lead: the groups page names nobody, and the list is not hers.
    switch_to(page, "both@example.com")
    page.goto("/groups/")
    card = page.locator(f"#group-{group.pk}")
    expect(card).to_contain_text("You are a member.")
    expect(card.get_by_role("link", name=f"See who is in {GROUP}")).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text("Alex Rivera")
    axe(page)
    screenshot(page, "groups-member.png")
    response = page.goto(f"/groups/{group.pk}/members/")
    assert response is not None and response.status == 404
