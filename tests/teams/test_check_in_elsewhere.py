"""A check-in made outside the Teams reminder card (the web, or Slack) updates the card in
place, through the worker, once; a press on the card itself is answered in place and the
worker leaves it alone."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from bridgework.accounts.models import Person
from bridgework.chat import services as chat_services
from bridgework.chat.models import ChatDelivery, ChatLink, Destination
from bridgework.practice import reminders
from bridgework.practice.models import CheckIn
from bridgework.slack.blocks import check_in_value

from ..conftest import Clock, Committed, client_for
from ..slack_loopback import FakeSlack
from ..test_reminders import DUE, MONDAY, NOTE, commit_weekly
from ..test_slack import (  # noqa: F401  (fixtures used below)
    link_on_profile,
    press,
    slack,
    workspace,
)
from .loopback import Call, MicrosoftOnLoopback
from .test_bot import check_in_data, linked  # noqa: F401  (a fixture used below)
from .test_bot import press as press_in_teams

pytestmark = pytest.mark.django_db


def reminded_in_teams(
    microsoft: MicrosoftOnLoopback, person: Person, clock: Clock
) -> tuple[Any, ChatDelivery]:
    commitment = commit_weekly(person)
    clock.move_to(DUE)
    assert reminders.deliver(commitment.pk, MONDAY) is True
    microsoft.calls.clear()
    return commitment, ChatDelivery.objects.get()


def updates(microsoft: MicrosoftOnLoopback) -> list[Call]:
    return [call for call in microsoft.connector_calls() if call.method == "PUT"]


def test_a_web_check_in_updates_the_teams_card_once(
    microsoft: MicrosoftOnLoopback,
    linked: ChatLink,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment, sent = reminded_in_teams(microsoft, participant, clock)

    for _ in range(2):
        with committed():
            client_for(participant).post(
                reverse("check_in", args=[commitment.pk]), {"outcome": "done", "note": NOTE}
            )

    [update] = updates(microsoft)
    assert update.path.endswith("/activities/" + sent.message_ref.replace(":", "%3A"))
    card = update.json()
    assert "Checked in: done, this week" in str(card)
    assert "actions" not in card["attachments"][0]["content"]
    assert NOTE not in update.body


def test_a_press_on_the_card_is_answered_in_place_and_not_again_by_the_worker(
    microsoft: MicrosoftOnLoopback,
    linked: ChatLink,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    commitment, sent = reminded_in_teams(microsoft, participant, clock)

    with committed():
        press_in_teams(microsoft, check_in_data(commitment, "partly"), on=sent.message_ref)

    assert CheckIn.objects.get(commitment=commitment, period_start=MONDAY).outcome == "partly"
    [update] = updates(microsoft)
    assert "Checked in: partly, this week" in update.body


def test_a_check_in_from_slack_updates_the_teams_card(
    microsoft: MicrosoftOnLoopback,
    linked: ChatLink,  # noqa: F811
    slack: FakeSlack,  # noqa: F811
    workspace: Any,  # noqa: F811
    participant: Person,
    clock: Clock,
    committed: Committed,
) -> None:
    link_on_profile(participant, slack)  # linked in Slack too; reminders still go to Teams
    chat_services.choose_destination(person=participant, destination=Destination.TEAMS)
    commitment, _ = reminded_in_teams(microsoft, participant, clock)
    reply = {"type": "message", "is_ephemeral": True}

    with committed():
        press(participant, "check_in:not_yet", check_in_value(commitment.pk, MONDAY), reply)

    [update] = updates(microsoft)
    assert "Checked in: not yet, this week" in update.body
    assert slack.of("chat.update") == []
