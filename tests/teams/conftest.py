"""Fixtures for the Teams tests: Microsoft's services on loopback and a connected bot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from bridgework.accounts.models import Organisation
from bridgework.teams import auth, connector
from bridgework.teams.models import TeamsBot

from .loopback import MicrosoftOnLoopback

APP_ID = "6f1c2a9e-0b4d-4e4f-9a53-2f7d1c0e8b11"
TENANT_ID = "0d3b7c52-41e8-4a6b-9f0e-5c2d8a1b7e44"
BOT_SECRET = "bot-secret-from-azure"


@pytest.fixture(scope="session")
def microsoft_server() -> Iterator[MicrosoftOnLoopback]:
    server = MicrosoftOnLoopback().start()
    yield server
    server.stop()


@pytest.fixture
def microsoft(
    microsoft_server: MicrosoftOnLoopback, settings: Any
) -> Iterator[MicrosoftOnLoopback]:
    """Microsoft on loopback, with its switches and recordings reset for each test, and our
    caches of its keys and tokens emptied."""
    settings.TEAMS_OPENID_METADATA_URL = microsoft_server.metadata_url
    settings.TEAMS_TOKEN_URL = microsoft_server.token_url
    settings.TEAMS_SERVICE_HOSTS = ["127.0.0.1"]
    auth.forget_keys()
    connector.forget_tokens()
    microsoft_server.reset()
    yield microsoft_server
    microsoft_server.reset()


@pytest.fixture
def bot(organisation: Organisation) -> TeamsBot:
    from django.utils import timezone

    bot = TeamsBot(
        organisation=organisation, app_id=APP_ID, tenant_id=TENANT_ID, connected_at=timezone.now()
    )
    bot.set_secret(BOT_SECRET)
    bot.save()
    return bot


def activity(
    microsoft: MicrosoftOnLoopback,
    kind: str = "message",
    *,
    user_id: str = "29:teams-user-1",
    tenant_id: str = TENANT_ID,
    **fields: Any,
) -> dict[str, Any]:
    """An activity shaped as Teams sends one from a personal chat with the bot."""
    return {
        "type": kind,
        "id": "f:incoming-1",
        "timestamp": "2026-12-03T12:00:00.000Z",
        "serviceUrl": microsoft.service_url,
        "channelId": "msteams",
        "from": {"id": user_id, "aadObjectId": "a1b2c3d4-0000-4000-8000-000000000001"},
        "conversation": {
            "conversationType": "personal",
            "tenantId": tenant_id,
            "id": f"a:personal-chat-of-{user_id}",
        },
        "recipient": {"id": f"28:{APP_ID}", "name": "Bridgework"},
        "channelData": {"tenant": {"id": tenant_id}},
        **fields,
    }


def post(
    microsoft: MicrosoftOnLoopback,
    body: dict[str, Any],
    *,
    token: str | None = None,
    client: Client | None = None,
) -> Any:
    """POST an activity to our messaging endpoint as the Bot Framework does."""
    token = token if token is not None else microsoft.token_for(audience=APP_ID)
    return (client or Client()).post(
        "/teams/messages",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
