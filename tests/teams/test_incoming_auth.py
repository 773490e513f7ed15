"""Only the Bot Framework, signing for our bot, can talk to the messaging endpoint.

Activities are signed with a test RSA key that a loopback OpenID metadata endpoint
publishes; anything signed otherwise, for another audience or issuer, expired, or vouching
for another service URL is refused before it is read."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.teams.models import Conversation, TeamsBot

from .conftest import APP_ID, activity, post
from .loopback import MicrosoftOnLoopback, new_key

pytestmark = pytest.mark.django_db


def install(microsoft: MicrosoftOnLoopback) -> dict[str, object]:
    return activity(microsoft, "installationUpdate", action="add")


def test_a_genuine_activity_is_accepted(microsoft: MicrosoftOnLoopback, bot: TeamsBot) -> None:
    answer = post(microsoft, install(microsoft))
    assert answer.status_code == 200
    assert Conversation.objects.filter(bot=bot, user_id="29:teams-user-1").exists()


@pytest.mark.parametrize("channel", ["webchat", "directline", "emulator"])
def test_an_activity_from_another_bot_framework_channel_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, channel: str
) -> None:
    """On channels the bot's owner can add (Web Chat, Direct Line), the sender's ids are
    whatever the client says: only Teams vouches for who is writing."""
    body = {**install(microsoft), "channelId": channel}
    assert post(microsoft, body).status_code == 401
    assert not Conversation.objects.exists()


def test_a_token_signed_with_a_key_microsoft_does_not_publish_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    forged = microsoft.token_for(audience=APP_ID, key=new_key())
    assert post(microsoft, install(microsoft), token=forged).status_code == 401
    assert not Conversation.objects.exists()


def test_a_token_naming_an_unknown_key_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    forged = microsoft.token_for(audience=APP_ID, key=new_key(), kid="someone-elses-key")
    assert post(microsoft, install(microsoft), token=forged).status_code == 401


def test_an_expired_token_is_refused(microsoft: MicrosoftOnLoopback, bot: TeamsBot) -> None:
    # Issued two hours ago, valid for one: past even the five minutes of clock leeway.
    old = microsoft.token_for(audience=APP_ID, issued_ago=7200)
    assert post(microsoft, install(microsoft), token=old).status_code == 401


def test_a_token_for_another_bot_is_refused(microsoft: MicrosoftOnLoopback, bot: TeamsBot) -> None:
    other = microsoft.token_for(audience="11111111-2222-4333-8444-555555555555")
    assert post(microsoft, install(microsoft), token=other).status_code == 401


def test_a_token_from_another_issuer_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    other = microsoft.token_for(audience=APP_ID, issuer="https://sts.windows.net/evil/")
    assert post(microsoft, install(microsoft), token=other).status_code == 401


def test_a_token_vouching_for_another_service_url_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    token = microsoft.token_for(audience=APP_ID, service_url="https://elsewhere.example/")
    assert post(microsoft, install(microsoft), token=token).status_code == 401


def test_a_key_not_endorsed_for_teams_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    microsoft.endorsements = ("webchat",)
    assert post(microsoft, install(microsoft)).status_code == 401


def test_no_token_at_all_is_refused_before_the_body_is_read(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    from django.test import Client

    answer = Client().post("/teams/messages", "not json", content_type="application/json")
    assert answer.status_code == 401


def test_an_activity_from_another_tenant_is_refused(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    foreign = activity(
        microsoft, "installationUpdate", action="add", tenant_id="99999999-0000-4000-8000-0"
    )
    assert post(microsoft, foreign).status_code == 403
    assert not Conversation.objects.exists()


def test_a_disconnected_bot_refuses_everything(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    bot.forget_secret()
    bot.save()
    assert post(microsoft, install(microsoft)).status_code == 401


def test_keys_are_fetched_once_and_kept(microsoft: MicrosoftOnLoopback, bot: TeamsBot) -> None:
    for _ in range(3):
        assert post(microsoft, install(microsoft)).status_code == 200
    fetched = [call.path for call in microsoft.calls if "/.well-known/" in call.path]
    assert fetched == ["/v1/.well-known/openidconfiguration", "/v1/.well-known/keys"]


def test_uninstalling_marks_the_conversation_removed(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot
) -> None:
    post(microsoft, install(microsoft))
    post(microsoft, activity(microsoft, "installationUpdate", action="remove"))
    conversation = Conversation.objects.get(bot=bot)
    assert not conversation.installed


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = ["type", "from", "conversation", "value", "text", "name", "membersRemoved", "action"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    derandomize=True,
)
@given(
    junk=st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4),
    kind=st.sampled_from(
        ["message", "invoke", "installationUpdate", "conversationUpdate", "event"]
    ),
)
def test_a_genuine_token_with_a_hostile_activity_never_gets_a_server_error(
    microsoft: MicrosoftOnLoopback, bot: TeamsBot, junk: dict[str, object], kind: str
) -> None:
    body = {**activity(microsoft, kind), **junk}
    body["serviceUrl"], body["channelId"] = microsoft.service_url, "msteams"
    body["channelData"] = {"tenant": {"id": bot.tenant_id}}
    answer = post(microsoft, body)
    assert answer.status_code < 500
