"""Slack as a program admin and a participant meet it, against the loopback Slack: the admin
pastes the app's bot token and signing secret, the participant links their Slack account
with the code it sends them and chooses Slack for reminders, then unlinks. axe-core checks
each state of both pages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.chat.delivery import destination_of

from ..slack_loopback import GOOD_TOKEN, TEAM_NAME, FakeSlack, running
from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b")


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlack]:
    with running() as fake:
        settings.SLACK_API_URL = fake.api_url
        settings.SLACK_RESPONSE_URL_PREFIX = fake.hooks_url
        yield fake


def test_an_admin_connects_slack_and_a_participant_links_and_chooses_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation, slack: FakeSlack
) -> None:
    sign_in(page, "admin@example.com")
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Slack"
    ).click()
    expect(page.get_by_role("heading", name="Slack", exact=True)).to_be_visible()
    expect(page.locator("#slack-status")).to_contain_text("not connected")
    axe(page)

    page.get_by_role("button", name="Connect Slack").click()
    expect(page.locator(".field--invalid").first).to_contain_text("Paste the app's bot token")
    page.get_by_label("Bot token").fill("xoxb-wrong")
    page.get_by_label("Signing secret").fill("a-signing-secret")
    page.get_by_role("button", name="Connect Slack").click()
    expect(page.locator(".field--invalid").first).to_contain_text("invalid_auth")
    axe(page)
    page.get_by_label("Bot token").fill(GOOD_TOKEN)
    page.get_by_label("Signing secret").fill("a-signing-secret")
    page.get_by_role("button", name="Connect Slack").click()
    expect(page.locator("#slack-status")).to_contain_text(f"Connected to the workspace {TEAM_NAME}")
    axe(page, dark_too=True)
    screenshot(page, "settings-slack-connected.png")
    page.context.clear_cookies()

    participant = Person.objects.get(email="participant@example.com")
    slack.users_by_email[participant.email] = "U0ALEX"
    sign_in(page, participant.email)
    page.goto("/profile/")
    section = page.get_by_role("region", name="Where reminders reach you")
    expect(section).to_contain_text("Slack: not linked")
    axe(page)
    section.get_by_role("button", name="Link Slack").click()
    expect(page.locator(".messages")).to_contain_text("We sent a code to you in Slack")
    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["channel"] == "U0ALEX"
    code = CODE.search(str(dm.params["text"]))
    assert code is not None

    page.get_by_label("Code from the chat app").fill("WRNG-CODE")
    page.get_by_role("button", name="Confirm the link").click()
    expect(page.locator(".messages")).to_contain_text("not right or has expired")
    page.get_by_label("Code from the chat app").fill(code.group(1))
    page.get_by_role("button", name="Confirm the link").click()
    expect(page.locator(".messages")).to_contain_text("Linked")
    section = page.get_by_role("region", name="Where reminders reach you")
    section.get_by_label("Slack", exact=True).check()
    section.get_by_role("button", name="Save where reminders go").click()
    expect(page.locator(".messages")).to_contain_text("reach you by Slack")
    assert destination_of(participant) == "slack"
    axe(page, dark_too=True)
    screenshot(page, "profile-reminders-slack.png")

    page.get_by_role("button", name="Unlink Slack").click()
    expect(page.locator(".messages")).to_contain_text("Unlinked")
    assert destination_of(participant) == "email"
    axe(page)
