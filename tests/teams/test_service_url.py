"""The bot's token only ever goes to a Bot Framework host. An activity names the service URL
we answer at; it is believed only when the signed token vouches for that same URL (its
`serviceurl` claim) and its host is one of TEAMS_SERVICE_HOSTS (Microsoft's public cloud by
default, the loopback Bot Connector here). Anything else is refused before a single call
goes out, and nothing is remembered about the conversation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from bridgework.chat.models import ChatDelivery, ChatLink
from bridgework.practice import reminders
from bridgework.teams.auth import trusted_service_url
from bridgework.teams.models import Conversation, TeamsBot

from ..conftest import Clock
from ..test_reminders import DUE, MONDAY, commit_weekly
from .conftest import APP_ID, activity, post
from .loopback import MicrosoftOnLoopback
from .test_bot import linked  # noqa: F401  (a fixture used below)

pytestmark = pytest.mark.django_db


def install_from(microsoft: MicrosoftOnLoopback, service_url: str) -> dict[str, Any]:
    return activity(microsoft, "installationUpdate", action="add", serviceUrl=service_url)


def test_a_token_vouching_for_another_url_on_a_trusted_host_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    other = microsoft.base_url + "/another-service/"
    token = microsoft.token_for(audience=APP_ID, service_url=other)

    assert (
        post(microsoft, install_from(microsoft, microsoft.service_url), token=token).status_code
        == 401
    )
    assert not Conversation.objects.exists()
    assert microsoft.connector_calls() == []


def test_a_foreign_host_is_refused_before_anything_is_fetched(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    foreign = "https://bot-framework.example.net/teams/"
    token = microsoft.token_for(audience=APP_ID, service_url=foreign)

    assert post(microsoft, install_from(microsoft, foreign), token=token).status_code == 401
    assert not Conversation.objects.exists()
    assert microsoft.calls == [], "no keys fetched, no token asked for, nothing sent"


def test_the_loopback_host_is_refused_once_it_is_no_longer_named(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, settings: Any
) -> None:
    settings.TEAMS_SERVICE_HOSTS = ["smba.trafficmanager.net", "*.botframework.com"]

    assert post(microsoft, install_from(microsoft, microsoft.service_url)).status_code == 401
    assert not Conversation.objects.exists()
    assert microsoft.calls == []


def test_a_named_host_vouched_for_by_the_token_is_remembered_and_answered(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    assert post(microsoft, install_from(microsoft, microsoft.service_url)).status_code == 200

    conversation = Conversation.objects.get()
    assert conversation.service_url == microsoft.service_url
    post(microsoft, activity(microsoft, "message", text="help"))
    [reply] = [call for call in microsoft.connector_calls() if call.method == "POST"]
    assert reply.path.startswith("/teams-service/v3/conversations/")


def test_a_conversation_kept_on_a_host_no_longer_named_gets_nothing(
    microsoft: MicrosoftOnLoopback,
    linked: ChatLink,  # noqa: F811
    settings: Any,
    clock: Clock,
) -> None:
    commitment = commit_weekly(linked.person)
    clock.move_to(DUE)
    settings.TEAMS_SERVICE_HOSTS = ["smba.trafficmanager.net"]

    reminders.deliver(commitment.pk, MONDAY)

    assert microsoft.calls == []
    assert ChatDelivery.objects.get().status == ChatDelivery.Status.FELL_BACK
    assert [m.to for m in mail.outbox] == [[linked.person.email]]


@pytest.mark.parametrize(
    ("url", "trusted"),
    [
        ("https://smba.trafficmanager.net/amer/", True),
        ("https://smba.trafficmanager.net/emea/", True),
        ("https://europe.webchat.botframework.com/", True),
        ("http://smba.trafficmanager.net/amer/", False),  # never a token in clear text
        ("https://smba.trafficmanager.net.evil.example/", False),
        ("https://evilbotframework.com/", False),
        ("https://botframework.com.evil.example/", False),
        ("https://user@smba.trafficmanager.net/", False),
        ("https://smba.trafficmanager.net:notaport/", False),
        ("", False),
        ("smba.trafficmanager.net", False),
    ],
)
def test_which_service_urls_are_trusted_by_default(url: str, trusted: bool, settings: Any) -> None:
    settings.TEAMS_SERVICE_HOSTS = ["smba.trafficmanager.net", "*.botframework.com"]
    assert trusted_service_url(url) is trusted
