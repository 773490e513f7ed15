"""Reminders in chat, whatever the platform: a person links a chat account only with a
one-time code, chooses where reminders go, and gets each reminder once; when chat fails the
reminder comes by e-mail and their Profile says so. A stand-in platform records each call
(the Slack tests do the same against a loopback Slack)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from bridgework.accounts import registry
from bridgework.accounts.models import Organisation, Person
from bridgework.chat import actions, delivery, platforms, services
from bridgework.chat.models import ChatDelivery, ChatLink, Destination
from bridgework.chat.platforms import ChatUnreachable, ExternalUser, RateLimited
from bridgework.cohorts.models import Session
from bridgework.lib.habits import Outcome
from bridgework.practice import reminders
from bridgework.practice.models import CheckIn, Commitment

from .conftest import Clock, CountQueries, client_for
from .test_reminders import DUE, MONDAY, commit_weekly


@dataclass
class Stand_in:
    key: str = "slack"
    label: str = "Slack"
    ask_for_code: str = "in Slack: /bridgework link"
    connected: bool = True
    fail_with: Exception | None = None
    sent: list[tuple[str, object]] = field(default_factory=list)

    def is_connected(self, organisation: Organisation | None) -> bool:
        return self.connected

    def find_user(self, organisation: Organisation | None, email: str) -> ExternalUser | None:
        return ExternalUser(team_id="T1", user_id="U-" + email) if "@" in email else None

    def _send(self, what: str, value: object) -> str:
        if self.fail_with is not None:
            raise self.fail_with
        self.sent.append((what, value))
        return f"ref-{len(self.sent)}"

    def send_commitment_reminder(self, link: ChatLink, commitment: Commitment, period: date) -> str:
        return self._send("commitment", (commitment.pk, period))

    def update_commitment_reminder(self, link: ChatLink, message_ref: str, text: str) -> None:
        self._send("update", (message_ref, text))

    def send_session_reminder(self, link: ChatLink, session: Session) -> str:
        return self._send("session", session.pk)

    def send_link_confirmation(self, link: ChatLink, code: str) -> None:
        self._send("code", code)


@pytest.fixture
def chat(monkeypatch: pytest.MonkeyPatch) -> Stand_in:
    stand_in = Stand_in()
    monkeypatch.setitem(platforms._platforms, "slack", stand_in)
    return stand_in


def link_and_choose(person: Person, chat: Stand_in) -> ChatLink:
    assert services.start_link(person=person, platform_key="slack") is True
    [(_, code)] = [call for call in chat.sent if call[0] == "code"]
    link = services.confirm_link(person=person, code=str(code))
    services.choose_destination(person=person, destination=Destination.SLACK)
    return link


def test_a_link_is_made_only_with_the_code_shown_in_chat(
    participant: Person, chat: Stand_in
) -> None:
    services.start_link(person=participant, platform_key="slack")
    assert not ChatLink.objects.confirmed().exists()
    with pytest.raises(ValidationError):
        services.choose_destination(person=participant, destination=Destination.SLACK)
    with pytest.raises(ValidationError, match="not right"):
        services.confirm_link(person=participant, code="AAAA-BBBB")

    [(_, code)] = chat.sent
    link = services.confirm_link(person=participant, code=str(code))

    assert link.is_confirmed and link.external_user_id == "U-" + participant.email
    with pytest.raises(ValidationError, match="not right"):
        services.confirm_link(person=participant, code=str(code))  # one time only


def test_a_code_shown_in_chat_links_whoever_enters_it_signed_in(
    participant: Person, chat: Stand_in
) -> None:
    code = services.code_for_chat_account(platform_key="slack", team_id="T1", user_id="U77")
    link = services.confirm_link(person=participant, code=code.lower())
    assert (link.person, link.external_user_id) == (participant, "U77")
    assert services.person_for(platform_key="slack", team_id="T1", user_id="U77") == link


def test_the_reminder_goes_to_chat_once_and_not_by_email(
    participant: Person, chat: Stand_in, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    link_and_choose(participant, chat)
    clock.move_to(DUE)

    assert reminders.deliver(commitment.pk, MONDAY) is True
    assert reminders.deliver(commitment.pk, MONDAY) is False

    assert [call for call in chat.sent if call[0] == "commitment"] == [
        ("commitment", (commitment.pk, MONDAY))
    ]
    assert mail.outbox == []
    [row] = ChatDelivery.objects.all()
    assert (row.status, row.message_ref) == (ChatDelivery.Status.SENT, "ref-2")


@pytest.mark.parametrize("reason", ["token_revoked", "not_connected"])
def test_when_chat_cannot_take_it_the_reminder_comes_by_email_and_profile_says_so(
    participant: Person, chat: Stand_in, clock: Clock, reason: str
) -> None:
    commitment = commit_weekly(participant)
    link_and_choose(participant, chat)
    chat.fail_with = ChatUnreachable(reason)
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)

    [message] = mail.outbox
    assert message.subject == "Time for a quick check-in"
    assert ChatDelivery.objects.get().status == ChatDelivery.Status.FELL_BACK
    page = client_for(participant).get(reverse("profile")).content.decode()
    assert "We could not reach you on Slack on" in page
    assert "That reminder came by e-mail." in page


def test_a_disconnected_platform_is_never_called(
    participant: Person, chat: Stand_in, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    link_and_choose(participant, chat)
    chat.connected = False
    chat.sent.clear()
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)

    assert chat.sent == []
    assert len(mail.outbox) == 1
    assert ChatDelivery.objects.get().problem == "not_connected"


def test_a_rate_limit_is_waited_out_then_the_sweep_sends(
    participant: Person, chat: Stand_in, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    link_and_choose(participant, chat)
    chat.fail_with = RateLimited(30)
    clock.move_to(DUE)

    reminders.deliver(commitment.pk, MONDAY)
    row = ChatDelivery.objects.get()
    assert row.status == ChatDelivery.Status.PENDING
    assert row.not_before == DUE + timedelta(seconds=30)

    chat.fail_with = None
    clock.advance(timedelta(seconds=10))
    assert delivery.send_due() == 0, "not before Retry-After"
    clock.advance(timedelta(seconds=25))
    assert delivery.send_due() == 1
    assert delivery.send_due() == 0
    assert mail.outbox == []
    assert ChatDelivery.objects.get().status == ChatDelivery.Status.SENT


def test_unlinking_stops_at_once_and_reminders_go_back_to_email(
    participant: Person, chat: Stand_in, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    link_and_choose(participant, chat)
    client = client_for(participant)

    response = client.post(reverse("chat_unlink", args=["slack"]))

    assert response.status_code == 302
    assert delivery.destination_of(participant) == Destination.EMAIL
    clock.move_to(DUE)
    reminders.deliver(commitment.pk, MONDAY)
    assert [call for call in chat.sent if call[0] == "commitment"] == []
    assert len(mail.outbox) == 1


def test_a_check_in_from_chat_is_the_link_owners_and_idempotent(
    participant: Person, facilitator: Person, chat: Stand_in, clock: Clock
) -> None:
    commitment = commit_weekly(participant)
    theirs = link_and_choose(participant, chat)
    chat.sent.clear()
    mine = link_and_choose(facilitator, chat)
    clock.move_to(DUE)

    with pytest.raises(actions.ActionRefused):
        actions.check_in(link=mine, commitment_id=commitment.pk, period=MONDAY, outcome="done")
    text = actions.check_in(link=theirs, commitment_id=commitment.pk, period=MONDAY, outcome="done")
    again = actions.check_in(
        link=theirs, commitment_id=commitment.pk, period=MONDAY, outcome="done"
    )

    assert text == again == "Checked in: done, this week"
    check_in = CheckIn.objects.get(commitment=commitment, period_start=MONDAY)
    assert check_in.outcome == Outcome.DONE


def test_a_check_in_from_chat_cannot_name_a_period_to_come(
    participant: Person, chat: Stand_in, clock: Clock
) -> None:
    """A button names its period; one naming next week is refused, not recorded ahead."""
    commitment = commit_weekly(participant)
    link = link_and_choose(participant, chat)
    clock.move_to(DUE)

    with pytest.raises(actions.ActionRefused, match="only on a day that has come"):
        actions.check_in(
            link=link,
            commitment_id=commitment.pk,
            period=MONDAY + timedelta(days=7),
            outcome="done",
        )
    assert not CheckIn.objects.filter(commitment=commitment, period_start__gt=MONDAY).exists()


def test_profile_offers_only_connected_services(participant: Person, chat: Stand_in) -> None:
    client: Client = client_for(participant)
    page = client.get(reverse("profile")).content.decode()
    assert "Where reminders reach you" in page
    assert "Link Slack" in page

    chat.connected = False
    page = client.get(reverse("profile")).content.decode()
    assert "Link Slack" not in page
    assert "has not connected a chat service" in page


def test_the_profile_section_reads_the_same_number_of_rows_however_many_deliveries(
    participant: Person, chat: Stand_in, clock: Clock, count_queries: CountQueries
) -> None:
    commit_weekly(participant)
    link_and_choose(participant, chat)
    chat.fail_with = ChatUnreachable("token_revoked")
    clock.move_to(DUE)
    client = client_for(participant)
    first = Commitment.objects.get(person=participant)
    reminders.deliver(first.pk, MONDAY)
    one = count_queries(client.get, reverse("profile"))

    for _ in range(3):
        reminders.deliver(commit_weekly(participant).pk, MONDAY)
    assert ChatDelivery.objects.count() == 4
    assert count_queries(client.get, reverse("profile")) == one


def test_chat_is_the_reminder_route_practice_and_cohorts_ask_before_email() -> None:
    # Practice and cohorts never import chat: chat registers its route, they ask the registry.
    assert delivery.route in registry.reminder_routes()
