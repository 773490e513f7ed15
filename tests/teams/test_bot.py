"""The bot in use, against Microsoft on loopback: a person links their Teams account with a
one-time code, gets their commitment reminder as a card exactly once, checks in with a
button (the card updates in place), asks for one thing and commits to it, sees this week,
and answers the session pulse. Uninstalling, refused credentials and Teams' refusals send
the reminder by e-mail instead; a 429 waits as long as Teams asks."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from bridgework.accounts.models import Person
from bridgework.chat import delivery
from bridgework.chat import services as chat_services
from bridgework.chat.models import ChatDelivery, ChatLink, Destination
from bridgework.curriculum.models import Tip
from bridgework.practice import reminders
from bridgework.practice.models import CheckIn, Commitment
from bridgework.teams import connector
from bridgework.teams.models import Conversation, TeamsBot

from ..conftest import Clock, client_for, curriculum_sample
from ..test_reminders import DUE, MONDAY, NOTE, TITLE, commit_weekly
from .conftest import TENANT_ID, activity, post
from .loopback import Call, MicrosoftOnLoopback

pytestmark = pytest.mark.django_db

AAD = "a1b2c3d4-0000-4000-8000-000000000001"
CODE = re.compile(r"Your code: ([A-Z0-9]{4}-[A-Z0-9]{4})")


def say(microsoft: MicrosoftOnLoopback, words: str) -> Any:
    return post(microsoft, activity(microsoft, "message", text=words))


def press(microsoft: MicrosoftOnLoopback, data: dict[str, Any], *, on: str = "") -> Any:
    """Press an Action.Submit button on the card with activity id `on`."""
    return post(microsoft, activity(microsoft, "message", value=data, replyToId=on))


def check_in_data(commitment: Commitment, outcome: str) -> dict[str, Any]:
    """What a Done / Partly / Not yet button on this week's reminder card submits."""
    return {
        "bridgework": "check_in",
        "commitment": commitment.pk,
        "period": MONDAY.isoformat(),
        "outcome": outcome,
    }


def last_post(microsoft: MicrosoftOnLoopback) -> Call:
    return [c for c in microsoft.connector_calls() if c.method == "POST"][-1]


def card_text(call: Call) -> str:
    return str(call.json())


def link_in_teams(microsoft: MicrosoftOnLoopback, person: Person) -> ChatLink:
    """The whole linking flow: install, type "link", enter the code on the Profile."""
    assert (
        post(microsoft, activity(microsoft, "installationUpdate", action="add")).status_code == 200
    )
    assert say(microsoft, "link").status_code == 200
    match = CODE.search(card_text(last_post(microsoft)))
    assert match is not None
    answer = client_for(person).post(reverse("chat_confirm_link"), {"code": match.group(1)})
    assert answer.status_code == 302
    return ChatLink.objects.confirmed().get(person=person, platform="teams")


@pytest.fixture
def linked(microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person) -> ChatLink:
    link = link_in_teams(microsoft, participant)
    chat_services.choose_destination(person=participant, destination=Destination.TEAMS)
    microsoft.calls.clear()
    return link


@pytest.fixture
def commitment(linked: ChatLink, participant: Person, clock: Clock) -> Commitment:
    """The linked participant's weekly commitment, on the morning its first reminder is due."""
    made = commit_weekly(participant)
    clock.move_to(DUE)
    return made


def test_linking_needs_the_code_the_bot_showed(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person
) -> None:
    link = link_in_teams(microsoft, participant)
    assert (link.external_team_id, link.external_user_id) == (TENANT_ID, AAD)
    # The code card went to the person's own chat, through the Bot Connector, with a token.
    call = last_post(microsoft)
    assert (
        call.path
        == "/teams-service/v3/conversations/a%3Apersonal-chat-of-29%3Ateams-user-1/activities"
    )
    assert call.headers["Authorization"].startswith("Bearer loopback-token-for-")


def test_an_unlinked_account_is_told_how_to_link_and_shown_nothing(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person
) -> None:
    commit_weekly(participant)
    say(microsoft, "this week")
    assert "not linked to Bridgework yet" in card_text(last_post(microsoft))
    assert "Ask one more" not in card_text(last_post(microsoft))


def test_the_reminder_arrives_once_and_done_checks_in_and_updates_it(
    microsoft: MicrosoftOnLoopback, commitment: Commitment, participant: Person
) -> None:
    # Two deliveries of the same reminder (a retry, a second worker): one message.
    assert reminders.deliver(commitment.pk, MONDAY) is True
    assert reminders.deliver(commitment.pk, MONDAY) is False

    [sent] = microsoft.connector_calls()
    card = sent.json()
    assert card["summary"] == "Time for a quick check-in"
    buttons = [a["title"] for a in card["attachments"][0]["content"]["actions"]]
    assert buttons == ["Done", "Partly", "Not yet"]
    assert mail.outbox == []
    row = ChatDelivery.objects.get()
    assert (
        row.status == ChatDelivery.Status.SENT
        and row.message_ref == "1:activity-" + (row.message_ref.rsplit("-", 1)[1])
    )

    done = card["attachments"][0]["content"]["actions"][0]["data"]
    for _ in range(2):  # a double tap checks in once
        assert press(microsoft, done, on=row.message_ref).status_code == 200
    check_in = CheckIn.objects.get(commitment=commitment, period_start=MONDAY)
    assert check_in.outcome == "done"
    updates = [c for c in microsoft.connector_calls() if c.method == "PUT"]
    assert len(updates) == 2
    assert updates[0].path.endswith("/activities/" + row.message_ref.replace(":", "%3A"))
    assert "Checked in: done, this week" in card_text(updates[0])
    # The web page shows it.
    page = client_for(participant).get(reverse("practice")).content.decode()
    assert "You checked in: done." in page


def test_an_invoke_from_a_universal_action_answers_with_the_new_card(
    microsoft: MicrosoftOnLoopback, commitment: Commitment
) -> None:
    data = check_in_data(commitment, "partly")
    answer = post(
        microsoft,
        activity(microsoft, "invoke", name="adaptiveCard/action", value={"action": {"data": data}}),
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    assert "Checked in: partly, this week" in str(body["value"])
    assert CheckIn.objects.get(commitment=commitment, period_start=MONDAY).outcome == "partly"


def test_nobody_can_check_in_on_someone_elses_commitment(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, facilitator: Person, clock: Clock
) -> None:
    theirs = commit_weekly(facilitator)
    clock.move_to(DUE)
    data = check_in_data(theirs, "done")
    press(microsoft, data, on="1:activity-x")
    assert not CheckIn.objects.filter(commitment=theirs, period_start=MONDAY).exists()
    assert "no longer running" in card_text(microsoft.connector_calls()[-1])


def test_pick_one_thing_offers_a_tip_and_commit_makes_one_commitment(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, participant: Person, program_admin: Person
) -> None:
    _, _, _, tip = curriculum_sample(program_admin)
    Tip.objects.filter(pk=tip.pk).update(status=Tip.Status.APPROVED)

    say(microsoft, "Pick one thing")

    card = last_post(microsoft).json()["attachments"][0]["content"]
    [commit] = card["actions"]
    assert commit["title"] == "Commit"
    for _ in range(2):  # Teams retries, or a double tap
        press(microsoft, commit["data"], on="1:activity-pick")
    made = Commitment.objects.filter(person=participant, tip__isnull=False)
    assert made.count() == 1
    first_update = next(c for c in microsoft.connector_calls() if c.method == "PUT")
    assert "Committed" in card_text(first_update)


def test_this_week_lists_commitments_with_check_in_buttons(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, participant: Person, clock: Clock
) -> None:
    commit_weekly(participant)
    clock.move_to(DUE)
    say(microsoft, "this week")
    card = card_text(last_post(microsoft))
    assert "not checked in this week yet" in card
    assert "'title': 'Done'" in card


def test_a_429_waits_as_long_as_teams_asks_then_sends(
    microsoft: MicrosoftOnLoopback, commitment: Commitment, clock: Clock
) -> None:
    microsoft.connector_answers.append(
        (429, {"Retry-After": "7"}, {"error": {"code": "TooManyRequests", "message": "Slow"}})
    )

    assert reminders.deliver(commitment.pk, MONDAY) is True

    row = ChatDelivery.objects.get()
    assert row.status == ChatDelivery.Status.PENDING
    assert row.not_before == DUE + timedelta(seconds=7)
    assert delivery.send_due() == 0  # not yet
    clock.advance(timedelta(seconds=8))
    assert delivery.send_due() == 1
    assert len([c for c in microsoft.connector_calls() if c.method == "POST"]) == 2
    assert mail.outbox == []


@pytest.mark.parametrize(("status", "problem"), [(403, "token_revoked"), (404, "user_not_found")])
def test_teams_refusing_the_message_sends_the_reminder_by_email(
    microsoft: MicrosoftOnLoopback,
    commitment: Commitment,
    participant: Person,
    status: int,
    problem: str,
) -> None:
    microsoft.connector_answers.append((status, {}, {"error": {"code": "Forbidden"}}))

    reminders.deliver(commitment.pk, MONDAY)

    row = ChatDelivery.objects.get()
    assert (row.status, row.problem) == (ChatDelivery.Status.FELL_BACK, problem)
    assert [m.to for m in mail.outbox] == [[participant.email]]
    page = client_for(participant).get(reverse("profile")).content.decode()
    assert "We could not reach you on Microsoft Teams" in page


def test_after_uninstalling_nothing_more_is_sent_to_teams(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, participant: Person, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    post(microsoft, activity(microsoft, "installationUpdate", action="remove"))
    assert not Conversation.objects.get().installed
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)

    assert microsoft.connector_calls() == []
    assert ChatDelivery.objects.get().status == ChatDelivery.Status.FELL_BACK
    assert len(mail.outbox) == 1


def test_refused_credentials_fall_back_and_show_on_the_settings_page(
    microsoft: MicrosoftOnLoopback, commitment: Commitment, program_admin: Person
) -> None:
    connector.forget_tokens()
    microsoft.refuse_credentials = True

    reminders.deliver(commitment.pk, MONDAY)

    assert microsoft.connector_calls() == []
    assert ChatDelivery.objects.get().problem == "token_revoked"
    assert len(mail.outbox) == 1
    page = client_for(program_admin).get(reverse("teams_settings")).content.decode()
    assert "Microsoft refused the bot's credentials" in page


def test_a_disconnected_organisation_sends_by_email(
    microsoft: MicrosoftOnLoopback, commitment: Commitment, program_admin: Person
) -> None:
    client_for(program_admin).post(reverse("teams_disconnect"))

    reminders.deliver(commitment.pk, MONDAY)

    assert microsoft.connector_calls() == []
    assert len(mail.outbox) == 1


def test_the_reminder_carries_no_commitment_text_and_no_note(
    microsoft: MicrosoftOnLoopback, commitment: Commitment
) -> None:
    reminders.deliver(commitment.pk, MONDAY)
    say(microsoft, "this week")
    for call in microsoft.calls:
        assert TITLE not in call.body
        assert NOTE not in call.body


def test_one_token_serves_many_messages_and_carries_the_bots_credentials(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person
) -> None:
    from bridgework.teams import connector

    connector.forget_tokens()
    link_in_teams(microsoft, participant)
    say(microsoft, "help")
    say(microsoft, "this week")

    token_calls = [c for c in microsoft.calls if c.path.endswith("/oauth2/v2.0/token")]
    assert len(token_calls) == 1
    assert token_calls[0].path == f"/{TENANT_ID}/oauth2/v2.0/token"
    form = dict(pair.split("=", 1) for pair in token_calls[0].body.split("&"))
    assert form["grant_type"] == "client_credentials"
    assert form["client_id"] == bot.app_id
    assert form["scope"] == "https%3A%2F%2Fapi.botframework.com%2F.default"


def test_a_reply_teams_cannot_take_is_not_a_server_error(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    microsoft.connector_answers.append((502, {}, {"error": {"code": "BadGateway"}}))
    assert say(microsoft, "help").status_code == 200


def test_link_on_the_profile_finds_the_teams_account_by_its_address_and_sends_a_code(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person
) -> None:
    microsoft.emails["29:teams-user-1"] = participant.email.upper()
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    conversation = Conversation.objects.get()
    assert conversation.email_digest and participant.email not in conversation.email_digest
    client = client_for(participant)

    client.post(reverse("chat_start_link", args=["teams"]))

    match = CODE.search(card_text(last_post(microsoft)))
    assert match is not None
    assert not ChatLink.objects.confirmed().exists()  # never silently
    client.post(reverse("chat_confirm_link"), {"code": match.group(1)})
    link = ChatLink.objects.confirmed().get(person=participant)
    assert link.external_user_id == AAD


def test_an_address_teams_does_not_know_finds_nobody(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, participant: Person
) -> None:
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    response = client_for(participant).post(reverse("chat_start_link", args=["teams"]))
    assert not ChatLink.objects.exists()
    assert [c.method for c in microsoft.connector_calls()] == ["GET"]
    [told] = [str(m) for m in get_messages(response.wsgi_request)]
    assert "in Teams: type link to the Bridgework bot" in told
    assert "/bridgework link" not in told  # Slack's way, not Teams'


def test_erasing_a_person_forgets_where_teams_reached_them(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, participant: Person
) -> None:
    from bridgework.accounts import services as accounts_services

    assert Conversation.objects.exists()
    accounts_services.erase_person(person=participant)
    assert not Conversation.objects.exists()
    assert not ChatLink.objects.exists()


def test_a_french_speakers_reminder_card_is_in_french(
    microsoft: MicrosoftOnLoopback, commitment: Commitment, participant: Person
) -> None:
    participant.language = "fr"
    participant.save(update_fields=["language"])

    assert reminders.deliver(commitment.pk, MONDAY) is True

    [sent] = microsoft.connector_calls()
    card = sent.json()
    assert card["summary"] == "C'est le moment de faire le point"
    buttons = [a["title"] for a in card["attachments"][0]["content"]["actions"]]
    assert buttons == ["Fait", "En partie", "Pas encore"]
    texts = [block["text"] for block in card["attachments"][0]["content"]["body"]]
    assert texts[1].endswith(": comment ça s'est passé cette semaine\u00a0?")


def test_the_bot_answers_a_spanish_speaker_in_spanish(
    microsoft: MicrosoftOnLoopback, linked: ChatLink, participant: Person
) -> None:
    participant.language = "es"
    participant.save(update_fields=["language"])

    say(microsoft, "hello")

    assert "Puedo recordarte tus compromisos" in card_text(last_post(microsoft))


@pytest.mark.parametrize("kind", [None, "groupChat", "channel"])
def test_a_message_from_a_conversation_not_said_to_be_personal_gets_nothing_private(
    microsoft: MicrosoftOnLoopback,
    linked: ChatLink,
    participant: Person,
    clock: Clock,
    kind: str | None,
) -> None:
    """Teams always names a personal chat as one; anything else, a missing kind included,
    is answered as a shared conversation is: not at all, and where to reach the person is
    left as it was."""
    commit_weekly(participant)
    clock.move_to(DUE)
    shared = {"tenantId": TENANT_ID, "id": "19:shared-chat@thread.v2"}
    if kind is not None:
        shared["conversationType"] = kind
    for words in ("this week", "pulse", "pick one thing"):
        answer = post(microsoft, activity(microsoft, "message", text=words, conversation=shared))
        assert answer.status_code == 200 and answer.content == b""
    invoke = activity(
        microsoft, "invoke", name="adaptiveCard/action", conversation=shared, value={}
    )
    assert post(microsoft, invoke).content == b""

    assert microsoft.connector_calls() == []
    assert list(Conversation.objects.values_list("conversation_id", flat=True)) == [
        "a:personal-chat-of-29:teams-user-1"
    ]
