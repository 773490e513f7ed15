"""Issue #21's "Done when", tried as new users would, against Slack and Microsoft on loopback.

The program admin connects the chat service in the organisation settings; the participant
links their chat account on Profile with the code the chat app gives them and chooses it
for reminders; the worker sends the commitment reminder at their hour; *Done*, pressed in
chat, checks in (the practice page shows it) and the message changes in place; "pick one
thing" offers a tip whose *Commit* makes a commitment the practice page shows; removing the
app stops every message and the settings page says so. What Slack and Teams would post to
Bridgework is posted as they post it: signed with Slack's algorithm, or carrying a token
signed by the loopback Bot Framework key. axe-core checks every page visited.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
import requests
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.chat.models import ChatDelivery, SpaceChannel
from bridgework.community.models import Space
from bridgework.practice import services as practice
from bridgework.practice.models import CheckIn, Commitment
from bridgework.practice.tasks import plan_reminders
from bridgework.slack import services as slack_services
from bridgework.teams import auth, connector

from ..conftest import Clock
from ..slack_loopback import GOOD_TOKEN, TEAM_ID, TEAM_NAME, FakeSlack, running
from ..teams.loopback import MicrosoftOnLoopback
from ..test_slack import sign
from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

SIGNING_SECRET = "journey-signing-secret-0123456789"
SLACK_USER = "U0ALEX"
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b")
# The clock fixture's Wednesday; the weekly commitment made then is first reminded on Monday.
MONDAY = date(2026, 6, 22)
APP_ID = "6f1c2a9e-0b4d-4e4f-9a53-2f7d1c0e8b11"
TENANT_ID = "0d3b7c52-41e8-4a6b-9f0e-5c2d8a1b7e44"
TEAMS_USER = "29:journey-user"
AAD = "a1b2c3d4-0000-4000-8000-00000000a1ec"


def participant() -> Person:
    return Person.objects.get(email="participant@example.com")


def commit_on_the_web(page: Page, axe: AccessibilityChecker, title: str) -> Commitment:
    page.goto("/practice/commit/")
    page.get_by_label("What will you do?").fill(title)
    page.get_by_label("Once a week").check()
    page.get_by_role("button", name="Commit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    axe(page)
    commitment = Commitment.objects.filter(person=participant()).latest("pk")
    assert commitment.title == title
    return commitment


def reminder_hour(clock: Clock, *, before: bool = False) -> None:
    """Move to Monday at the participant's reminder hour in their zone (or just before it)."""
    person = participant()
    profile = practice.profile_for(person)
    zone = ZoneInfo(person.usual_time_zone)
    moment = datetime(MONDAY.year, MONDAY.month, MONDAY.day, profile.reminder_hour, 5, tzinfo=zone)
    clock.move_to(moment - timedelta(minutes=10) if before else moment)


def the_worker_plans_reminders() -> None:
    # What the worker runs every minute; tests run tasks at once, so deliveries happen too.
    plan_reminders.enqueue()


def shows_check_in(page: Page, axe: AccessibilityChecker, commitment: Commitment) -> None:
    page.context.clear_cookies()  # sessions age with the clock: sign in again
    sign_in(page, participant().email)
    page.goto("/practice/")
    card = page.locator(f"#commitment-{commitment.pk}")
    expect(card).to_contain_text("You checked in: done.")
    axe(page)


# --- Slack -----------------------------------------------------------------------------------


@pytest.fixture
def slack(settings: Any, live_server: Any) -> Iterator[FakeSlack]:
    with running() as fake:
        settings.SLACK_API_URL = fake.api_url
        settings.SLACK_RESPONSE_URL_PREFIX = fake.hooks_url
        settings.SLACK_AUTHORIZE_URL = fake.url + "/oauth/v2/authorize"
        settings.SLACK_CLIENT_ID, settings.SLACK_CLIENT_SECRET = "111.222", "client-secret"
        settings.SLACK_SIGNING_SECRET = SIGNING_SECRET
        settings.BASE_URL = live_server.url
        yield fake


def from_slack(live_server: Any, path: str, body: str, kind: str) -> requests.Response:
    headers = sign(body, secret=SIGNING_SECRET) | {"Content-Type": kind}
    answer = requests.post(live_server.url + path, data=body.encode(), headers=headers, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def slash_command(live_server: Any, text: str) -> dict[str, Any]:
    body = urlencode(
        {"team_id": TEAM_ID, "user_id": SLACK_USER, "command": "/bridgework", "text": text}
    )
    answer: dict[str, Any] = from_slack(
        live_server, "/slack/commands", body, "application/x-www-form-urlencoded"
    ).json()
    return answer


def press_button(live_server: Any, action: dict[str, Any], container: dict[str, Any]) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": SLACK_USER},
        "response_url": "",
        "container": container,
        "actions": [{"action_id": action["action_id"], "value": action["value"]}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    from_slack(live_server, "/slack/interactivity", body, "application/x-www-form-urlencoded")


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for block in blocks if block["type"] == "actions" for e in block["elements"]]


def test_slack_from_add_to_slack_to_uninstalling(
    clock: Clock,
    page: Page,
    axe: AccessibilityChecker,
    demo: Organisation,
    slack: FakeSlack,
    live_server: Any,
) -> None:
    # The admin adds the app to the workspace; Slack (loopback) approves and sends them back.
    sign_in(page, "admin@example.com")
    page.goto("/settings/slack/")
    expect(page.locator("#slack-status")).to_contain_text("not connected")
    axe(page)
    page.get_by_role("button", name="Add to Slack").click()
    expect(page.get_by_role("button", name="Add to Slack")).to_be_hidden()  # folded away
    expect(page.locator("#slack-status")).to_contain_text(f"Connected to the workspace {TEAM_NAME}")
    assert [call.params["code"] for call in slack.of("oauth.v2.access")] == ["oauth-code-1"]
    axe(page, dark_too=True)
    screenshot(page, "chat-slack-settings-connected.png")
    page.context.clear_cookies()

    # The participant commits on the web, then links Slack. Slack cannot find them by their
    # address, so the Profile tells them to ask the app for a code, which they do.
    sign_in(page, participant().email)
    commitment = commit_on_the_web(page, axe, "Credit the person whose idea I repeat")
    page.goto("/profile/")
    section = page.get_by_role("region", name="Where reminders reach you")
    section.get_by_role("button", name="Link Slack").click()
    expect(page.locator(".messages")).to_contain_text("/bridgework link")
    axe(page)
    code = CODE.search(json.dumps(slash_command(live_server, "link")["blocks"]))
    assert code is not None
    page.get_by_label("Code from the chat app").fill(code.group(1))
    page.get_by_role("button", name="Confirm the link").click()
    expect(page.locator(".messages")).to_contain_text("Linked")
    section.get_by_label("Slack", exact=True).check()
    section.get_by_role("button", name="Save where reminders go").click()
    expect(page.locator(".messages")).to_contain_text("reach you by Slack")
    expect(page.get_by_label("Code from the chat app")).to_have_count(0)  # nothing to link
    axe(page, dark_too=True)
    screenshot(page, "chat-slack-profile-linked.png")

    # Nothing before their hour; at their hour, one direct message with three buttons.
    reminder_hour(clock, before=True)
    the_worker_plans_reminders()
    assert not slack.of("chat.postMessage")[1:]
    reminder_hour(clock)
    the_worker_plans_reminders()
    the_worker_plans_reminders()
    sent = ChatDelivery.objects.get(object_id=commitment.pk, platform="slack")
    channel, _, ts = sent.message_ref.partition(":")
    [dm] = [
        call
        for call in slack.of("chat.postMessage")
        if any(
            json.loads(button["value"]).get("c") == commitment.pk
            for button in buttons(call.params.get("blocks") or [])
            if button["action_id"].startswith("check_in:")
        )
    ]
    assert dm.params["channel"] == SLACK_USER
    done, partly, not_yet = buttons(dm.params["blocks"])
    assert [done["text"]["text"], partly["text"]["text"], not_yet["text"]["text"]] == [
        "Done",
        "Partly",
        "Not yet",
    ]

    # Done, pressed in Slack: the check-in is made, the message changes in place.
    press_button(live_server, done, {"type": "message", "channel_id": channel, "message_ts": ts})
    assert CheckIn.objects.get(commitment=commitment).outcome == "done"
    [update] = slack.of("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)
    assert update.params["text"] == "Checked in: done, this week"
    shows_check_in(page, axe, commitment)

    # /bridgework pick: one tip, privately; Commit makes a commitment the web shows.
    pick = slash_command(live_server, "pick")
    assert pick["response_type"] == "ephemeral"
    [commit] = [b for b in buttons(pick["blocks"]) if b["action_id"] == "commit"]
    press_button(live_server, commit, {"type": "message", "is_ephemeral": True})
    made = Commitment.objects.filter(person=participant(), tip_id=int(commit["value"])).get()
    page.goto("/practice/")
    expect(page.locator(f"#commitment-{made.pk}")).to_be_visible()
    axe(page)

    # The app is removed from the workspace: nothing more goes to Slack.
    uninstalled = {
        "type": "event_callback",
        "team_id": TEAM_ID,
        "event_id": "Ev0UNINSTALL",
        "event": {"type": "app_uninstalled"},
    }
    from_slack(live_server, "/slack/events", json.dumps(uninstalled), "application/json")
    calls = len(slack.calls)
    clock.advance(timedelta(days=7))
    the_worker_plans_reminders()
    assert len(slack.calls) == calls
    assert ChatDelivery.objects.filter(object_id=commitment.pk, status="fell_back").exists()
    page.goto("/profile/")
    expect(page.get_by_role("region", name="Where reminders reach you")).to_contain_text(
        "Your reminders come by e-mail"
    )
    axe(page)
    page.context.clear_cookies()
    sign_in(page, "admin@example.com")
    page.goto("/settings/slack/")
    expect(page.locator("#slack-status")).to_contain_text("the app was removed from the workspace")
    axe(page, dark_too=True)
    screenshot(page, "chat-slack-settings-uninstalled.png")


# --- Microsoft Teams -------------------------------------------------------------------------


@pytest.fixture
def microsoft(settings: Any, live_server: Any) -> Iterator[MicrosoftOnLoopback]:
    server = MicrosoftOnLoopback().start()
    settings.BASE_URL = live_server.url  # the messaging endpoint the settings page shows
    settings.TEAMS_OPENID_METADATA_URL = server.metadata_url
    settings.TEAMS_TOKEN_URL = server.token_url
    settings.TEAMS_SERVICE_HOSTS = ["127.0.0.1"]  # the loopback plays the Bot Connector
    auth.forget_keys()
    connector.forget_tokens()
    yield server
    server.stop()
    auth.forget_keys()
    connector.forget_tokens()


def from_teams(
    microsoft: MicrosoftOnLoopback, live_server: Any, kind: str, **fields: Any
) -> requests.Response:
    """An activity from the participant's personal chat with the bot, as Teams posts it."""
    activity = {
        "type": kind,
        "id": "f:journey",
        "serviceUrl": microsoft.service_url,
        "channelId": "msteams",
        "from": {"id": TEAMS_USER, "aadObjectId": AAD},
        "conversation": {
            "conversationType": "personal",
            "tenantId": TENANT_ID,
            "id": f"a:personal-chat-of-{TEAMS_USER}",
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "Bridgework"},
        "channelData": {"tenant": {"id": TENANT_ID}},
        **fields,
    }
    answer = requests.post(
        live_server.url + "/teams/messages",
        json=activity,
        headers={"Authorization": f"Bearer {microsoft.token_for(audience=APP_ID)}"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer


def posted_cards(microsoft: MicrosoftOnLoopback) -> list[dict[str, Any]]:
    return [call.json() for call in microsoft.connector_calls() if call.method == "POST"]


def card_actions(card: dict[str, Any]) -> list[dict[str, Any]]:
    actions: list[dict[str, Any]] = card["attachments"][0]["content"]["actions"]
    return actions


def test_teams_from_connecting_the_bot_to_removing_the_app(
    clock: Clock,
    page: Page,
    axe: AccessibilityChecker,
    demo: Organisation,
    microsoft: MicrosoftOnLoopback,
    live_server: Any,
) -> None:
    # The admin saves the bot's settings and downloads the app package to upload to Teams.
    sign_in(page, "admin@example.com")
    page.goto("/settings/teams/")
    page.get_by_label("Bot app ID").fill(APP_ID)
    page.get_by_label("Tenant ID").fill(TENANT_ID)
    page.get_by_label("Client secret").fill("journey-client-secret")
    page.get_by_role("button", name="Save Teams settings").click()
    expect(page.locator("#teams-status")).to_contain_text("not checked yet")
    axe(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Teams app package").click()
    package = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    manifest = json.loads(package.read("manifest.json"))
    assert manifest["bots"][0]["botId"] == APP_ID
    assert manifest["bots"][0]["scopes"] == ["personal"]
    assert {manifest["icons"]["color"], manifest["icons"]["outline"]} <= set(package.namelist())
    page.context.clear_cookies()

    # The participant adds the app in Teams, which tells the bot their address; "Link
    # Microsoft Teams" on Profile then sends them a code in their chat with the bot.
    microsoft.emails[TEAMS_USER] = participant().email
    from_teams(microsoft, live_server, "installationUpdate", action="add")
    sign_in(page, participant().email)
    commitment = commit_on_the_web(page, axe, "Ask the quietest person first")
    page.goto("/profile/")
    section = page.get_by_role("region", name="Where reminders reach you")
    section.get_by_role("button", name="Link Microsoft Teams").click()
    expect(page.locator(".messages")).to_contain_text("We sent a code to you in Microsoft Teams")
    code = CODE.search(json.dumps(posted_cards(microsoft)[-1]))
    assert code is not None
    page.get_by_label("Code from the chat app").fill(code.group(1))
    page.get_by_role("button", name="Confirm the link").click()
    expect(page.locator(".messages")).to_contain_text("Linked")
    section.get_by_label("Microsoft Teams", exact=True).check()
    section.get_by_role("button", name="Save where reminders go").click()
    expect(page.locator(".messages")).to_contain_text("reach you by Microsoft Teams")
    axe(page, dark_too=True)
    screenshot(page, "chat-teams-profile-linked.png")

    # At their hour, one card with three buttons; Done updates it in place.
    reminder_hour(clock, before=True)
    sent_before = len(posted_cards(microsoft))
    the_worker_plans_reminders()
    assert len(posted_cards(microsoft)) == sent_before
    reminder_hour(clock)
    the_worker_plans_reminders()
    the_worker_plans_reminders()
    sent = ChatDelivery.objects.get(object_id=commitment.pk, platform="teams")
    [card] = [
        card
        for card in posted_cards(microsoft)[sent_before:]
        if f'"commitment": {commitment.pk},' in json.dumps(card)
    ]
    done, partly, not_yet = card_actions(card)
    assert [done["title"], partly["title"], not_yet["title"]] == ["Done", "Partly", "Not yet"]
    from_teams(microsoft, live_server, "message", value=done["data"], replyToId=sent.message_ref)
    assert CheckIn.objects.get(commitment=commitment).outcome == "done"
    [update] = [call for call in microsoft.connector_calls() if call.method == "PUT"]
    assert update.path.endswith("/activities/" + sent.message_ref.replace(":", "%3A"))
    assert "Checked in: done, this week" in update.body
    shows_check_in(page, axe, commitment)

    # "Pick one thing": one tip with Commit, which makes a commitment the web shows.
    from_teams(microsoft, live_server, "message", text="Pick one thing")
    [commit] = card_actions(posted_cards(microsoft)[-1])
    assert commit["title"] == "Commit"
    from_teams(microsoft, live_server, "message", value=commit["data"], replyToId="1:pick")
    made = Commitment.objects.filter(person=participant(), tip__isnull=False).latest("pk")
    page.goto("/practice/")
    expect(page.locator(f"#commitment-{made.pk}")).to_be_visible()
    axe(page)

    # The participant removes the app: nothing more goes to Teams. The admin's page says
    # no more than before, as one person's choice must not show there.
    from_teams(microsoft, live_server, "installationUpdate", action="remove")
    calls = len(microsoft.connector_calls())
    clock.advance(timedelta(days=7))
    the_worker_plans_reminders()
    assert len(microsoft.connector_calls()) == calls
    assert ChatDelivery.objects.filter(object_id=commitment.pk, status="fell_back").exists()
    page.context.clear_cookies()
    sign_in(page, "admin@example.com")
    page.goto("/settings/teams/")
    expect(page.locator("#teams-chats")).to_have_text(
        "The app is in the Teams chats of fewer than 5 people."
    )
    axe(page, dark_too=True)
    screenshot(page, "chat-teams-settings-removed.png")


# --- Published asks in a Slack channel -------------------------------------------------------


def test_a_facilitator_chooses_the_slack_channel_for_the_allies_spaces_asks(
    page: Page, axe: AccessibilityChecker, demo: Organisation, slack: FakeSlack
) -> None:
    admin = Person.objects.get(email="admin@example.com")
    slack_services.connect_pasted(
        organisation=demo, actor=admin, bot_token=GOOD_TOKEN, signing_secret=SIGNING_SECRET
    )
    allies = Space.objects.get(organisation=demo, audience=Space.Audience.ORGANISATION)
    protected = Space.objects.get(organisation=demo, group__name="Disability Network")
    sign_in(page, "facilitator@example.com")
    page.goto(protected.get_absolute_url())
    expect(page.get_by_role("link", name="Published asks in Slack")).to_have_count(0)
    page.goto(allies.get_absolute_url())
    page.get_by_role("link", name="Published asks in Slack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Published asks in Slack")
    expect(page.locator("#channel-status")).to_contain_text("not posted to Slack")
    axe(page)

    page.get_by_label("Slack channel ID").fill("#allies")
    page.get_by_role("button", name="Save the channel").click()
    expect(page.locator(".field--invalid")).to_contain_text("starts with C or G")
    axe(page)
    page.get_by_label("Slack channel ID").fill("C0ALLIESASK")
    page.get_by_role("button", name="Save the channel").click()
    expect(page.locator("#channel-status")).to_contain_text("posted to the channel C0ALLIESASK")
    axe(page, dark_too=True)
    screenshot(page, "chat-slack-asks-channel.png")
    assert SpaceChannel.objects.get(space=allies).channel_id == "C0ALLIESASK"
