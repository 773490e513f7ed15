"""A facilitator of an allies' space chooses one Slack channel where the space's published
asks are announced: only published asks, only their title and a link, once each, through the
worker after the publishing commits, and nothing once Slack is uninstalled. A protected
space can never have a channel, and nothing written in one ever reaches Slack."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from bridgework.accounts.models import Person
from bridgework.asks.models import Ask
from bridgework.chat import channels
from bridgework.chat.models import ChannelPost, SpaceChannel
from bridgework.slack import services as slack_services

from . import slack_loopback
from .asks_support import make_spaces, propose, publish, write_ask
from .conftest import Cast, Committed
from .slack_loopback import GOOD_TOKEN, FakeSlack

pytestmark = pytest.mark.django_db

CHANNEL = "C0ALLIESASK"
CANARY = "canary-7f3a-protected-words"


@pytest.fixture
def slack(settings: Any, program_admin: Person) -> Iterator[FakeSlack]:
    with slack_loopback.running() as fake:
        settings.SLACK_API_URL = fake.api_url
        assert program_admin.organisation is not None
        slack_services.connect_pasted(
            organisation=program_admin.organisation,
            actor=program_admin,
            bot_token=GOOD_TOKEN,
            signing_secret="a-signing-secret",
        )
        yield fake


def channel_posts(slack: FakeSlack) -> list[slack_loopback.Call]:
    return [call for call in slack.of("chat.postMessage") if call.params["channel"] == CHANNEL]


def test_a_facilitator_chooses_the_channel_and_a_published_ask_is_announced_once(
    cast: Cast, slack: FakeSlack, committed: Committed
) -> None:
    spaces = make_spaces(cast)
    page = reverse("chat_space_channel", args=[spaces.allies.pk])
    client = cast.client("facilitator")
    assert client.get(page).status_code == 200
    refused = client.post(page, {"channel_id": "#general"})
    assert refused.status_code == 400
    assert "starts with C or G" in refused.content.decode()
    assert client.post(page, {"channel_id": CHANNEL.lower()}).status_code == 302
    assert SpaceChannel.objects.get().channel_id == CHANNEL

    ask = write_ask(spaces.protected, cast.group_member, title=CANARY, body=CANARY)
    proposed = propose(ask, cast.facilitator, spaces.allies)
    assert channel_posts(slack) == [], "a proposal is not published"
    with committed():
        published = publish(
            proposed,
            cast.facilitator,
            spaces.allies,
            title="Turn captions on",
            body="The body stays in Bridgework.",
        )

    [posted] = channel_posts(slack)
    link = f"<{settings.BASE_URL}{published.get_absolute_url()}|Turn captions on>"
    assert posted.params["text"] == f"A new ask for allies: {link}"
    assert "The body stays" not in slack.everything_sent()
    assert CANARY not in slack.everything_sent()
    # A retry of the task, or a second worker, posts nothing more.
    channels.post(
        space_id=spaces.allies.pk,
        key=f"ask:{published.pk}",
        title=published.title,
        path=published.get_absolute_url(),
    )
    assert len(channel_posts(slack)) == 1
    assert ChannelPost.objects.get().status == ChannelPost.Status.SENT


def test_a_new_wording_is_not_announced_again_and_uninstalling_stops_posting(
    cast: Cast, slack: FakeSlack, committed: Committed
) -> None:
    spaces = make_spaces(cast)
    channels.choose(space=spaces.allies, platform_key="slack", channel_id=CHANNEL)
    ask = write_ask(spaces.protected, cast.group_member)
    with committed():
        publish(ask, cast.facilitator, spaces.allies)
    with committed():
        publish(Ask.objects.get(pk=ask.pk), cast.facilitator, spaces.allies, title="Captions on")
    assert len(channel_posts(slack)) == 1

    slack_services.stop_for_team(team_id=slack_loopback.TEAM_ID, reason="app_uninstalled")
    calls = len(slack.calls)
    with committed():
        publish(
            write_ask(spaces.protected, cast.group_member, title="Slides early"),
            cast.facilitator,
            spaces.allies,
        )
    assert len(slack.calls) == calls


def test_a_protected_space_never_has_a_channel(cast: Cast, slack: FakeSlack) -> None:
    spaces = make_spaces(cast)
    page = reverse("chat_space_channel", args=[spaces.protected.pk])
    assert cast.client("facilitator").post(page, {"channel_id": CHANNEL}).status_code == 404
    with pytest.raises(ValueError):
        channels.choose(space=spaces.protected, platform_key="slack", channel_id=CHANNEL)
    SpaceChannel.objects.create(space=spaces.protected, platform="slack", channel_id=CHANNEL)
    assert channels.post(space_id=spaces.protected.pk, key="ask:1", title=CANARY, path="/x") == 0
    assert CANARY not in slack.everything_sent()


@pytest.mark.parametrize(
    ("position", "status"),
    [
        ("facilitator", 200),
        ("participant", 404),
        ("program_admin", 404),
        ("group_member", 404),
        ("participant_and_member", 404),
        ("stranger", 404),
        ("deactivated", 302),
        ("anonymous", 302),
    ],
)
def test_only_the_allies_spaces_own_facilitator_chooses_its_channel(
    cast: Cast, slack: FakeSlack, position: str, status: int
) -> None:
    spaces = make_spaces(cast)
    page = reverse("chat_space_channel", args=[spaces.allies.pk])
    client = cast.client(position)
    assert client.get(page).status_code == status
    assert client.post(page, {"channel_id": CHANNEL}).status_code in {status, 302}
    assert SpaceChannel.objects.exists() == (position == "facilitator")
