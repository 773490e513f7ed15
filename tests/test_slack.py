"""Slack, against a loopback Slack: an admin connects a workspace (a pasted token checked
with auth.test, or "Add to Slack"), a participant links their account with a one-time code,
a reminder arrives as a direct message, *Done* checks in and the message updates in place.
Requests from Slack are signed with Slack's algorithm (HMAC-SHA256 of "v0:timestamp:body");
a replay, a tampered body, an old timestamp or another secret is refused. Uninstalling or a
revoked token stops sending at once; a 429 is waited out; a failed send comes by e-mail."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import re
import time
from collections.abc import Iterator
from datetime import time as clock_time
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Person
from bridgework.chat import delivery
from bridgework.chat import services as chat_services
from bridgework.chat.models import ChatDelivery, ChatLink, Destination
from bridgework.cohorts import reminders as session_reminders
from bridgework.cohorts import services as cohort_services
from bridgework.cohorts.models import PulseAnswer, PulseResponse, Session
from bridgework.curriculum.models import Tip
from bridgework.practice import reminders
from bridgework.practice.models import CheckIn, Commitment
from bridgework.practice.tasks import deliver_reminder
from bridgework.slack import services
from bridgework.slack.models import SlackWorkspace

from . import slack_loopback
from .cohorts_support import fill_month_of_feedback, make_cohort
from .conftest import Clock, Committed, client_for, curriculum_sample
from .slack_loopback import GOOD_TOKEN, OAUTH_CODE, OAUTH_TOKEN, TEAM_ID, FakeSlack
from .test_reminders import DUE, MONDAY, NOTE, TITLE, commit_weekly

SECRET = "loopback-signing-secret-0123456789"
CODE = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4})\b")


@pytest.fixture
def slack(settings: Any) -> Iterator[FakeSlack]:
    with slack_loopback.running() as fake:
        settings.SLACK_API_URL = fake.api_url
        settings.SLACK_RESPONSE_URL_PREFIX = fake.hooks_url
        yield fake


@pytest.fixture
def workspace(slack: FakeSlack, program_admin: Person) -> SlackWorkspace:
    assert program_admin.organisation is not None
    return services.connect_pasted(
        organisation=program_admin.organisation,
        actor=program_admin,
        bot_token=GOOD_TOKEN,
        signing_secret=SECRET,
    )


def slack_id(person: Person) -> str:
    return f"U{person.pk:06d}"


def link_on_profile(person: Person, slack: FakeSlack) -> ChatLink:
    """As on Profile: "Link Slack", then the code from the direct message, then "Slack"."""
    slack.users_by_email[person.email] = slack_id(person)
    client = client_for(person)
    client.post(reverse("chat_start_link", args=["slack"]))
    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["channel"] == slack_id(person)
    code = CODE.search(str(dm.params["text"]))
    assert code is not None
    client.post(reverse("chat_confirm_link"), {"code": code.group(1)})
    client.post(reverse("chat_destination"), {"destination": "slack"})
    assert delivery.destination_of(person) == Destination.SLACK
    return ChatLink.objects.confirmed().get(person=person, platform="slack")


@pytest.fixture
def commitment(workspace: SlackWorkspace, slack: FakeSlack, participant: Person) -> Commitment:
    """The participant's weekly commitment, with their Slack linked on Profile for reminders."""
    made = commit_weekly(participant)
    link_on_profile(participant, slack)
    return made


def sign(body: str, *, secret: str = SECRET, at: int | None = None) -> dict[str, str]:
    """Slack's signing, written out: v0= and the HMAC-SHA256 of "v0:<timestamp>:<body>"."""
    timestamp = str(int(time.time()) if at is None else at)
    base = f"v0:{timestamp}:{body}".encode()
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={digest}"}


def from_slack(
    path: str, body: str, *, json_body: bool = False, retry: str | None = None
) -> HttpResponse:
    kind = "application/json" if json_body else "application/x-www-form-urlencoded"
    headers = sign(body) | ({"X-Slack-Retry-Num": retry} if retry else {})
    response = Client().generic("POST", path, body, content_type=kind, headers=headers)
    assert isinstance(response, HttpResponse)
    return response


def press(person: Person, action_id: str, value: str, container: dict[str, Any]) -> HttpResponse:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": slack_id(person)},
        "trigger_id": "trigger-1",
        "response_url": "",
        "container": container,
        "actions": [{"action_id": action_id, "value": value}],
    }
    return from_slack("/slack/interactivity", urlencode({"payload": json.dumps(payload)}))


def command(person: Person, text: str) -> dict[str, Any]:
    body = urlencode(
        {"team_id": TEAM_ID, "user_id": slack_id(person), "command": "/bridgework", "text": text}
    )
    response = from_slack("/slack/commands", body)
    assert response.status_code == 200
    answer: dict[str, Any] = json.loads(response.content)
    return answer


def event(kind: str, event_id: str, **fields: Any) -> str:
    return json.dumps(
        {
            "type": "event_callback",
            "team_id": TEAM_ID,
            "event_id": event_id,
            "event": {"type": kind, **fields},
        }
    )


# --- connecting ------------------------------------------------------------------------------


def test_an_admin_connects_slack_with_a_pasted_token_that_slack_accepts(
    slack: FakeSlack, program_admin: Person
) -> None:
    client = client_for(program_admin)
    refused = client.post(
        reverse("slack_settings"), {"bot_token": "xoxb-not-ours", "signing_secret": SECRET}
    )
    assert refused.status_code == 400
    assert "Slack did not accept this token (invalid_auth)" in refused.content.decode()

    response = client.post(
        reverse("slack_settings"), {"bot_token": GOOD_TOKEN, "signing_secret": SECRET}
    )

    assert response.status_code == 302
    workspace = SlackWorkspace.objects.get()
    assert (workspace.team_id, workspace.via) == (TEAM_ID, SlackWorkspace.Via.PASTED)
    assert workspace.bot_token() == GOOD_TOKEN and workspace.signing_secret() == SECRET
    assert GOOD_TOKEN.encode() not in bytes(workspace.bot_token_sealed)
    assert [call.token for call in slack.of("auth.test")] == ["xoxb-not-ours", GOOD_TOKEN]
    page = client.get(reverse("slack_settings")).content.decode()
    assert "Connected" in page and slack_loopback.TEAM_NAME in page


def test_a_slack_that_cannot_be_reached_is_explained_next_to_the_token_not_a_server_error(
    program_admin: Person, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.SLACK_API_URL = "http://127.0.0.1:9/api/"  # nothing listens there

    with caplog.at_level(logging.INFO):
        answer = client_for(program_admin).post(
            reverse("slack_settings"), {"bot_token": "xoxb-123-456-abc", "signing_secret": SECRET}
        )

    assert answer.status_code == 400
    page = answer.content.decode()
    assert "We could not reach Slack to check the token; try again." in page
    assert 'id="id_bot_token_error"' in page
    assert not SlackWorkspace.objects.exists()
    logged = " ".join(r.getMessage() for r in caplog.records if r.name.startswith("bridgework"))
    assert "could not reach Slack" in logged
    assert "xoxb-123-456-abc" not in logged and SECRET not in logged


def test_a_refused_token_and_the_secret_typed_with_it_are_not_shown_back_and_the_page_says_so(
    slack: FakeSlack, program_admin: Person
) -> None:
    answer = client_for(program_admin).post(
        reverse("slack_settings"), {"bot_token": "xoxb-not-ours", "signing_secret": SECRET}
    )
    page = answer.content.decode()
    assert "xoxb-not-ours" not in page and SECRET not in page
    for field in ("bot_token", "signing_secret"):
        errors = page.split(f'id="id_{field}_error"')[1].split("</div>")[0]
        assert "For your safety this was not kept: paste it again." in errors


def test_only_the_secrets_typed_are_said_not_to_be_kept(
    slack: FakeSlack, program_admin: Person
) -> None:
    answer = client_for(program_admin).post(
        reverse("slack_settings"), {"bot_token": "not-a-bot-token", "signing_secret": ""}
    )
    page = answer.content.decode()
    assert "A bot token starts with xoxb-." in page
    assert page.count("For your safety this was not kept") == 1
    assert "For your safety" in page.split('id="id_bot_token_error"')[1].split("</div>")[0]


def test_connecting_a_pasted_app_again_makes_everyone_link_again(
    slack: FakeSlack, workspace: SlackWorkspace, participant: Person, program_admin: Person
) -> None:
    """Whoever pastes an app's signing secret could sign requests as any linked person, so
    links made before a pasted app was connected do not carry over to it."""
    link_on_profile(participant, slack)
    assert ChatLink.objects.confirmed().filter(person=participant).exists()

    admin = client_for(program_admin)
    before = admin.get(reverse("slack_settings")).content.decode()
    assert "connecting one unlinks everyone linked before" in before

    admin.post(
        reverse("slack_settings"),
        {"bot_token": GOOD_TOKEN, "signing_secret": "a-secret-the-admin-chose-0123"},
    )

    assert SlackWorkspace.objects.get().signing_secret() == "a-secret-the-admin-chose-0123"
    assert not ChatLink.objects.filter(person=participant).exists()
    assert delivery.destination_of(participant) == Destination.EMAIL
    after = admin.get(reverse("slack_settings")).content.decode()
    assert "people linked before link again, through this app" in after


def test_a_code_shown_before_a_pasted_app_was_connected_links_nobody(
    slack: FakeSlack, workspace: SlackWorkspace, participant: Person, program_admin: Person
) -> None:
    """Entered afterwards, it would link the person through an app they never saw."""
    code = CODE.search(json.dumps(command(participant, "link")))
    assert code is not None

    client_for(program_admin).post(
        reverse("slack_settings"),
        {"bot_token": GOOD_TOKEN, "signing_secret": "a-secret-the-admin-chose-0123"},
    )
    client_for(participant).post(reverse("chat_confirm_link"), {"code": code.group(1)})

    assert not ChatLink.objects.filter(person=participant).exists()


def test_add_to_slack_installs_through_oauth_v2_into_our_store(
    slack: FakeSlack, program_admin: Person, settings: Any
) -> None:
    settings.SLACK_CLIENT_ID, settings.SLACK_CLIENT_SECRET = "111.222", "client-secret"
    settings.SLACK_SIGNING_SECRET = SECRET
    settings.SLACK_AUTHORIZE_URL = slack.url + "/oauth/v2/authorize"
    client = client_for(program_admin)

    to_slack = client.post(reverse("slack_install"))
    address = urlsplit(to_slack["Location"])
    query = parse_qs(address.query)
    assert address.path == "/oauth/v2/authorize"
    assert query["client_id"] == ["111.222"]
    assert "chat:write" in query["scope"][0].split(",")
    state = query["state"][0]

    forged = client.get(reverse("slack_oauth_callback"), {"code": OAUTH_CODE, "state": "x"})
    assert forged.status_code == 302 and not SlackWorkspace.objects.exists()
    client.get(reverse("slack_oauth_callback"), {"code": OAUTH_CODE, "state": state})

    workspace = SlackWorkspace.objects.get()
    assert (workspace.via, workspace.team_id) == (SlackWorkspace.Via.OAUTH, TEAM_ID)
    assert workspace.bot_token() == OAUTH_TOKEN
    [exchange] = slack.of("oauth.v2.access")
    assert exchange.params["code"] == OAUTH_CODE


# --- requests from Slack ---------------------------------------------------------------------


def test_only_requests_signed_by_the_workspace_in_the_last_five_minutes_are_heard(
    workspace: SlackWorkspace, participant: Person, clock: Clock
) -> None:
    body = urlencode({"team_id": TEAM_ID, "user_id": "U1", "text": "help"})
    now = int(time.time())

    def post(body_sent: str, headers: dict[str, str]) -> int:
        kind = "application/x-www-form-urlencoded"
        answer = Client().generic("POST", "/slack/commands", body_sent, kind, headers=headers)
        return answer.status_code

    assert post(body, sign(body)) == 200
    assert post(body.replace("help", "pick"), sign(body)) == 401, "a tampered body"
    assert post(body, sign(body, at=now - 301)) == 401, "a replay after five minutes"
    assert post(body, sign(body, secret="another-secret")) == 401
    assert post(body, {}) == 401
    stale = sign(body, at=now)
    clock.advance(timedelta(minutes=6))
    assert post(body, stale) == 401, "the same signed request, replayed later"
    other_team = body.replace(TEAM_ID, "T0OTHER")
    assert post(other_team, sign(other_team)) == 401


def test_slacks_url_check_is_answered_only_when_signed(workspace: SlackWorkspace) -> None:
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"})
    response = from_slack("/slack/events", body, json_body=True)
    assert json.loads(response.content) == {"challenge": "c-123"}
    unsigned = Client().post("/slack/events", body, content_type="application/json")
    assert unsigned.status_code == 401


# --- reminders -------------------------------------------------------------------------------


def test_a_reminder_arrives_as_a_dm_and_done_checks_in_and_updates_it_in_place(
    commitment: Commitment,
    slack: FakeSlack,
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    clock.move_to(DUE)

    assert reminders.deliver(commitment.pk, MONDAY) is True

    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["channel"] == slack_id(participant)
    [buttons] = [block for block in dm.params["blocks"] if block["type"] == "actions"]
    labels = [element["text"]["text"] for element in buttons["elements"]]
    assert labels == ["Done", "Partly", "Not yet"]
    assert mail.outbox == []
    sent = ChatDelivery.objects.get()
    channel, _, ts = sent.message_ref.partition(":")

    done = buttons["elements"][0]
    container = {"type": "message", "channel_id": channel, "message_ts": ts}
    for _ in range(2):  # a double click: the message is updated once, by the worker
        with committed():
            answer = press(participant, done["action_id"], done["value"], container)
        assert answer.status_code == 200

    [check_in] = CheckIn.objects.filter(commitment=commitment, period_start=MONDAY)
    assert check_in.outcome == "done"
    [update] = slack.of("chat.update")
    assert (update.params["channel"], update.params["ts"]) == (channel, ts)
    assert update.params["text"] == "Checked in: done, this week"
    assert not [block for block in update.params["blocks"] if block["type"] == "actions"]
    page = client_for(participant).get(reverse("practice")).content.decode()
    assert "You checked in: done." in page


def test_two_deliveries_of_the_same_reminder_send_one_message(
    commitment: Commitment, slack: FakeSlack, clock: Clock
) -> None:
    clock.move_to(DUE)
    before = len(slack.of("chat.postMessage"))

    reminders.deliver(commitment.pk, MONDAY)
    reminders.deliver(commitment.pk, MONDAY)
    deliver_reminder.call(commitment.pk, MONDAY.isoformat())
    delivery.send_due()

    assert len(slack.of("chat.postMessage")) == before + 1
    assert ChatDelivery.objects.count() == 1


def test_a_revoked_token_stops_slack_and_the_reminder_comes_by_email(
    commitment: Commitment,
    slack: FakeSlack,
    participant: Person,
    program_admin: Person,
    clock: Clock,
) -> None:
    slack.revoked.add(GOOD_TOKEN)
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)

    [message] = mail.outbox
    assert message.to == [participant.email]
    row = ChatDelivery.objects.get()
    assert (row.status, row.problem) == (ChatDelivery.Status.FELL_BACK, "token_revoked")
    profile = client_for(participant).get(reverse("profile")).content.decode()
    assert "We could not reach you on Slack on" in profile
    settings_page = client_for(program_admin).get(reverse("slack_settings")).content.decode()
    assert "Slack stopped on" in settings_page

    calls = len(slack.calls)
    second = commit_weekly(participant)
    reminders.deliver(second.pk, MONDAY)
    assert len(slack.calls) == calls, "nothing more is sent to a revoked workspace"
    assert len(mail.outbox) == 2


def test_uninstalling_stops_sending_at_once_and_slacks_retry_changes_nothing(
    commitment: Commitment,
    slack: FakeSlack,
    participant: Person,
    program_admin: Person,
    clock: Clock,
) -> None:
    body = event("app_uninstalled", "Ev001")

    assert from_slack("/slack/events", body, json_body=True).status_code == 200
    revoked_at = SlackWorkspace.objects.get().revoked_at
    assert revoked_at is not None
    retry = from_slack("/slack/events", body, json_body=True, retry="1")
    assert retry.status_code == 200
    assert SlackWorkspace.objects.get().revoked_at == revoked_at

    calls = len(slack.calls)
    clock.move_to(DUE)
    reminders.deliver(commitment.pk, MONDAY)
    assert len(slack.calls) == calls
    assert len(mail.outbox) == 1
    page = client_for(program_admin).get(reverse("slack_settings")).content.decode()
    assert "the app was removed from the workspace" in page
    assert "Link Slack" not in client_for(participant).get(reverse("profile")).content.decode()


def test_a_rate_limit_is_waited_out_by_the_worker(
    commitment: Commitment, slack: FakeSlack, clock: Clock
) -> None:
    slack.rate_limit_next["chat.postMessage"] = 20
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)
    assert ChatDelivery.objects.get().not_before == DUE + timedelta(seconds=20)

    clock.advance(timedelta(seconds=19))
    assert delivery.send_due() == 0
    clock.advance(timedelta(seconds=2))
    assert delivery.send_due() == 1
    assert ChatDelivery.objects.get().status == ChatDelivery.Status.SENT
    assert len(slack.of("chat.postMessage")) == 3  # the link code, the 429, the reminder
    assert mail.outbox == []


def test_a_session_reminder_carries_the_calendar_link_and_the_pulse_opens_in_a_modal(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    starts = DUE + timedelta(days=30)
    with time_machine.travel(starts - timedelta(days=7), tick=False):
        cohort = make_cohort(
            facilitator,
            [participant],
            start=starts.date(),
            at=clock_time(10),
            zone="UTC",
            sessions=1,
        )
        link_on_profile(participant, slack)
    session: Session = cohort.sessions.get()
    with time_machine.travel(starts - timedelta(hours=2), tick=False):
        assert session_reminders.deliver(session.pk, participant.pk) is True
    dm = slack.of("chat.postMessage")[-1]
    [row] = [block for block in dm.params["blocks"] if block["type"] == "actions"]
    urls = [element.get("url", "") for element in row["elements"]]
    assert any(url.endswith(f"/cohorts/sessions/{session.pk}/invite.ics") for url in urls)

    cohort_services.mark_attendance(session=session, marks={participant.pk: "present"})
    with time_machine.travel(starts + timedelta(minutes=85), tick=False):
        press(participant, "pulse", str(session.pk), {"type": "message", "is_ephemeral": False})
        [opened] = slack.of("views.open")
        assert opened.params["view"]["callback_id"] == "pulse"
        submission = {
            "type": "view_submission",
            "team": {"id": TEAM_ID},
            "user": {"id": slack_id(participant)},
            "view": {
                "callback_id": "pulse",
                "private_metadata": str(session.pk),
                "state": {
                    "values": {
                        "useful": {"value": {"selected_option": {"value": "4"}}},
                        "safe": {"value": {"selected_option": {"value": "5"}}},
                        "line": {"value": {"value": "good pace"}},
                    }
                },
            },
        }
        body = urlencode({"payload": json.dumps(submission)})
        assert from_slack("/slack/interactivity", body).content == b""
        again = json.loads(from_slack("/slack/interactivity", body).content)

    # Sent again (a second modal opened before the first was sent): told, not closed silently.
    assert again["response_action"] == "update"
    assert "already answered" in json.dumps(again["view"])
    assert PulseResponse.objects.filter(session=session, person=participant).count() == 1
    [answer] = PulseAnswer.objects.filter(session=session)
    assert (answer.useful, answer.safe, answer.line) == (4, 5, "good pace")


def reminded_of_one_session(participant: Person, facilitator: Person, slack: FakeSlack) -> Session:
    """A session a month ahead, its cohort made a week before it, the participant's Slack
    linked for reminders."""
    starts = DUE + timedelta(days=30)
    with time_machine.travel(starts - timedelta(days=7), tick=False):
        cohort = make_cohort(
            facilitator,
            [participant],
            start=starts.date(),
            at=clock_time(10),
            zone="UTC",
            sessions=1,
        )
        link_on_profile(participant, slack)
    session: Session = cohort.sessions.get()
    return session


def test_a_session_reminder_offers_no_pulse_to_someone_whose_month_of_feedback_is_full(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    """An answer would be refused at the end: the reminder does not offer the pulse at all
    (and does not say why: nobody asked). Its other links stay."""
    session = reminded_of_one_session(participant, facilitator, slack)
    fill_month_of_feedback(session, participant)
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        assert session_reminders.deliver(session.pk, participant.pk) is True
    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["channel"] == slack_id(participant)
    [row] = [block for block in dm.params["blocks"] if block["type"] == "actions"]
    assert [element["action_id"] for element in row["elements"]] == ["calendar", "open_session"]
    assert "pulse" not in json.dumps(dm.params["blocks"]).lower()


def test_the_pulse_button_says_kindly_that_a_full_month_needs_no_more_answers(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    """The button was on a reminder sent before the month filled. Pressed now, it opens no
    form to fill in for nothing: the modal says, in the web's words, that this one is not
    needed, and has nothing to send."""
    session = reminded_of_one_session(participant, facilitator, slack)
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        assert session_reminders.deliver(session.pk, participant.pk) is True
    [row] = [b for b in slack.of("chat.postMessage")[-1].params["blocks"] if b["type"] == "actions"]
    assert "pulse" in [element["action_id"] for element in row["elements"]]
    cohort_services.mark_attendance(session=session, marks={participant.pk: "present"})
    fill_month_of_feedback(session, participant)

    with time_machine.travel(session.ends_at + timedelta(minutes=5), tick=False):
        press(participant, "pulse", str(session.pk), {"type": "message", "is_ephemeral": False})
    [opened] = slack.of("views.open")
    view = opened.params["view"]
    assert "submit" not in view
    assert view.get("callback_id") != "pulse"
    assert not [block for block in view["blocks"] if block["type"] == "input"]
    assert str(cohort_services.FEEDBACK_MONTH_FULL) in json.dumps(view["blocks"])
    assert not PulseResponse.objects.filter(session=session, person=participant).exists()


def opened_view(person: Person, session: Session, slack: FakeSlack) -> dict[str, Any]:
    press(person, "pulse", str(session.pk), {"type": "message", "is_ephemeral": False})
    view: dict[str, Any] = slack.of("views.open")[-1].params["view"]
    return view


def says_only(view: dict[str, Any], words: object) -> bool:
    """A modal with the words and nothing to fill in or send."""
    return (
        "submit" not in view
        and not [block for block in view["blocks"] if block["type"] == "input"]
        and str(words) in json.dumps(view["blocks"])
    )


def test_the_pulse_button_says_why_before_the_pulse_opens_or_for_someone_not_marked_present(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    """The reminder goes out before the session, to every member: pressed too early, or by
    someone the session did not see, the button opens no form to be refused at the end."""
    session = reminded_of_one_session(participant, facilitator, slack)
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        assert says_only(opened_view(participant, session, slack), cohort_services.PULSE_NOT_OPEN)
    with time_machine.travel(session.ends_at + timedelta(minutes=5), tick=False):
        assert says_only(opened_view(participant, session, slack), cohort_services.NOT_THERE)
        cohort_services.mark_attendance(session=session, marks={participant.pk: "present"})
        assert opened_view(participant, session, slack)["callback_id"] == "pulse"


def test_a_facilitators_session_reminder_offers_no_pulse_and_the_button_says_why(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    """Whoever reads a session's results never answers its pulse."""
    session = reminded_of_one_session(participant, facilitator, slack)
    link_on_profile(facilitator, slack)
    with time_machine.travel(session.starts_at - timedelta(hours=2), tick=False):
        assert session_reminders.deliver(session.pk, facilitator.pk) is True
    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["channel"] == slack_id(facilitator)
    [row] = [block for block in dm.params["blocks"] if block["type"] == "actions"]
    assert [element["action_id"] for element in row["elements"]] == ["calendar", "open_session"]
    with time_machine.travel(session.ends_at + timedelta(minutes=5), tick=False):
        view = opened_view(facilitator, session, slack)
    assert says_only(view, cohort_services.READERS_DO_NOT_ANSWER)


def test_a_pulse_modal_sent_once_the_month_is_full_shows_the_kind_sentence_and_stores_nothing(
    workspace: SlackWorkspace,
    slack: FakeSlack,
    participant: Person,
    facilitator: Person,
) -> None:
    """The modal was opened before the month filled; sent after, it stays open with the
    reason beside the first question, and nothing is kept."""
    session = reminded_of_one_session(participant, facilitator, slack)
    cohort_services.mark_attendance(session=session, marks={participant.pk: "present"})
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM_ID},
        "user": {"id": slack_id(participant)},
        "view": {
            "callback_id": "pulse",
            "private_metadata": str(session.pk),
            "state": {
                "values": {
                    "useful": {"value": {"selected_option": {"value": "4"}}},
                    "safe": {"value": {"selected_option": {"value": "5"}}},
                }
            },
        },
    }
    with time_machine.travel(session.ends_at + timedelta(minutes=5), tick=False):
        press(participant, "pulse", str(session.pk), {"type": "message", "is_ephemeral": False})
        assert slack.of("views.open")[-1].params["view"]["callback_id"] == "pulse"
        fill_month_of_feedback(session, participant)
        body = urlencode({"payload": json.dumps(submission)})
        answer = json.loads(from_slack("/slack/interactivity", body).content)

    assert answer == {
        "response_action": "errors",
        "errors": {"useful": str(cohort_services.FEEDBACK_MONTH_FULL)},
    }
    assert not PulseResponse.objects.filter(session=session, person=participant).exists()


# --- commands, App Home ----------------------------------------------------------------------


def test_bridgework_lists_this_weeks_commitments_and_pick_commits_with_one_click(
    commitment: Commitment, slack: FakeSlack, participant: Person, clock: Clock
) -> None:
    curriculum_sample(participant)
    Tip.objects.update(status=Tip.Status.APPROVED)
    clock.move_to(DUE)

    week = command(participant, "")
    assert week["response_type"] == "ephemeral"
    assert any(block["type"] == "actions" for block in week["blocks"])

    pick = command(participant, "pick")
    [commit_button] = [
        element
        for block in pick["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["action_id"] == "commit"
    ]
    before = Commitment.objects.filter(person=participant).count()
    container = {"type": "message", "is_ephemeral": True}
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": slack_id(participant)},
        "response_url": slack.hooks_url + "T/1/abc",
        "container": container,
        "actions": [{"action_id": "commit", "value": commit_button["value"]}],
    }
    body = urlencode({"payload": json.dumps(payload)})
    from_slack("/slack/interactivity", body)
    from_slack("/slack/interactivity", body)  # a double click

    assert Commitment.objects.filter(person=participant).count() == before + 1
    replies = slack.of("response_url")
    assert len(replies) == 2 and replies[-1].params["replace_original"] is True
    assert "Committed to" in replies[-1].params["text"]


def test_a_person_slack_cannot_find_by_address_is_told_to_ask_with_slash_link(
    workspace: SlackWorkspace, participant: Person
) -> None:
    response = client_for(participant).post(reverse("chat_start_link", args=["slack"]))

    [told] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "could not find you in Slack" in told
    assert "in Slack: /bridgework link" in told
    assert not ChatLink.objects.exists()


def test_a_code_from_slash_link_links_the_account_on_profile(
    workspace: SlackWorkspace, participant: Person
) -> None:
    answer = command(participant, "link")
    code = CODE.search(json.dumps(answer))
    assert code is not None
    client_for(participant).post(reverse("chat_confirm_link"), {"code": code.group(1)})
    assert chat_services.person_for(
        platform_key="slack", team_id=TEAM_ID, user_id=slack_id(participant)
    )


def test_an_unlinked_person_is_told_how_to_link_and_learns_nothing_else(
    workspace: SlackWorkspace, participant: Person
) -> None:
    answer = command(participant, "")
    assert "not linked to Bridgework yet" in json.dumps(answer)


def test_app_home_shows_this_week_when_opened(
    commitment: Commitment, slack: FakeSlack, participant: Person, clock: Clock
) -> None:
    clock.move_to(DUE)
    body = event("app_home_opened", "Ev002", user=slack_id(participant), tab="home")

    from_slack("/slack/events", body, json_body=True)

    [published] = slack.of("views.publish")
    assert published.params["user_id"] == slack_id(participant)
    assert published.params["view"]["type"] == "home"
    assert "Deep curiosity" in json.dumps(published.params["view"])


def test_nothing_the_person_wrote_is_ever_sent_to_slack(
    commitment: Commitment, slack: FakeSlack, participant: Person, clock: Clock
) -> None:
    """The commitment's wording and a check-in note stay in Bridgework; the canary test
    for protected spaces is in test_slack_canary below."""
    clock.move_to(DUE)
    reminders.deliver(commitment.pk, MONDAY)
    command(participant, "")
    from_slack(
        "/slack/events",
        event("app_home_opened", "Ev003", user=slack_id(participant), tab="home"),
        json_body=True,
    )
    sent = slack.everything_sent()
    assert TITLE not in sent and NOTE not in sent


def test_the_token_and_signing_secret_survive_a_master_key_rotation(
    workspace: SlackWorkspace, tmp_path: Any, settings: Any
) -> None:
    from django.core.management import call_command

    from bridgework.accounts.encryption import key_cache
    from bridgework.lib import keyfiles

    settings.DATA_DIR = tmp_path / "data"
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(settings.DATA_DIR)
    key_cache.clear()
    # Sealed under this test's key first, as a workspace connected before the rotation.
    workspace.set_bot_token(GOOD_TOKEN)
    workspace.set_signing_secret(SECRET)
    workspace.save()

    call_command("rotate_keys", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(settings.DATA_DIR)
    key_cache.clear()

    workspace.refresh_from_db()
    assert workspace.bot_token_key_id == settings.FIELD_ENCRYPTION_KEYS[0][0]
    assert (workspace.bot_token(), workspace.signing_secret()) == (GOOD_TOKEN, SECRET)


def test_a_spanish_speakers_reminder_dm_and_its_update_are_in_spanish(
    commitment: Commitment,
    slack: FakeSlack,
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    # The worker sends it, in no request: the words follow the person, not the server.
    participant.language = "es"
    participant.save(update_fields=["language"])
    clock.move_to(DUE)

    assert reminders.deliver(commitment.pk, MONDAY) is True

    dm = slack.of("chat.postMessage")[-1]
    assert dm.params["text"] == "Es momento de contar cómo te fue, esta semana."
    [buttons] = [block for block in dm.params["blocks"] if block["type"] == "actions"]
    assert [element["text"]["text"] for element in buttons["elements"]] == [
        "Hecho",
        "En parte",
        "Todavía no",
    ]
    assert "¿Qué tal?" in dm.params["blocks"][0]["text"]["text"]

    sent = ChatDelivery.objects.get()
    channel, _, ts = sent.message_ref.partition(":")
    container = {"type": "message", "channel_id": channel, "message_ts": ts}
    with committed():
        press(
            participant,
            buttons["elements"][0]["action_id"],
            buttons["elements"][0]["value"],
            container,
        )
    [update] = slack.of("chat.update")
    assert update.params["text"] == "Seguimiento: hecho, esta semana"
    assert "Ver tu práctica en Bridgework" in str(update.params["blocks"])


def test_slash_bridgework_answers_a_french_speaker_in_french(
    commitment: Commitment, participant: Person
) -> None:
    participant.language = "fr"
    participant.save(update_fields=["language"])

    answer = command(participant, "")

    assert answer["text"] == "Cette semaine"
    assert "*Vos engagements*" in str(answer["blocks"])
    assert "pas de point d'étape cette semaine" in str(answer["blocks"])
