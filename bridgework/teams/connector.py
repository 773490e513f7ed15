"""Sending to Teams through the Bot Connector REST API.

A token comes from the Microsoft identity platform with the bot's own credentials (client
credentials grant, `TEAMS_TOKEN_URL`) and is kept until shortly before it expires. Messages
go to the service URL Teams gave us with the conversation: POST to create an activity,
PUT to replace one in place. Nothing here logs a message's text.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils import timezone

from .auth import trusted_service_url
from .models import Conversation, TeamsBot

logger = logging.getLogger(__name__)

SCOPE = "https://api.botframework.com/.default"
HTTP_TIMEOUT_SECONDS = 15
DEFAULT_RETRY_AFTER_SECONDS = 30


class Unreachable(Exception):
    """Teams will not take the message: credentials refused, bot removed, conversation gone."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Throttled(Exception):
    """Teams asked us to slow down (HTTP 429); try again after `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"retry after {retry_after}s")
        self.retry_after = retry_after


@dataclass
class _Token:
    value: str
    expires_at: float


_tokens: dict[tuple[str, str], _Token] = {}
_lock = threading.Lock()


def forget_tokens() -> None:
    with _lock:
        _tokens.clear()


def _retry_after(response: requests.Response) -> int:
    try:
        return max(1, int(response.headers.get("Retry-After", "")))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def _refuse_credentials(bot: TeamsBot) -> None:
    TeamsBot.objects.filter(pk=bot.pk).update(credentials_refused_at=timezone.now())


def access_token(bot: TeamsBot) -> str:
    secret = bot.secret()
    if not bot.is_connected or secret is None:
        raise Unreachable("the Teams bot is not connected")
    cache_key = (bot.app_id, bot.secret_key_id + bytes(bot.secret_sealed).hex()[:16])
    with _lock:
        cached = _tokens.get(cache_key)
        if cached is not None and cached.expires_at > time.time() + 60:
            return cached.value
    answer = requests.post(
        settings.TEAMS_TOKEN_URL.format(tenant=quote(bot.tenant_id, safe="")),
        data={
            "grant_type": "client_credentials",
            "client_id": bot.app_id,
            "client_secret": secret,
            "scope": SCOPE,
        },
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    if answer.status_code == 429:
        raise Throttled(_retry_after(answer))
    if answer.status_code in {400, 401, 403}:
        _refuse_credentials(bot)
        logger.warning("teams: bot %s credentials refused (%s)", bot.pk, answer.status_code)
        raise Unreachable("Microsoft refused the bot's credentials")
    if answer.status_code != 200:
        raise Unreachable(f"the token endpoint answered {answer.status_code}")
    body = answer.json()
    token = _Token(str(body["access_token"]), time.time() + int(body.get("expires_in", 3600)))
    with _lock:
        _tokens[cache_key] = token
    return token.value


def _call(
    bot: TeamsBot,
    conversation: Conversation,
    method: str,
    path: str,
    activity: dict[str, Any] | None,
) -> dict[str, Any]:
    if not conversation.installed:
        raise Unreachable("the person removed the bot")
    if not trusted_service_url(conversation.service_url):
        # Kept before BRIDGEWORK_TEAMS_SERVICE_HOSTS changed: the token never goes there.
        raise Unreachable("the service URL is not on a Bot Framework host")
    url = f"{conversation.service_url.rstrip('/')}/v3/conversations/" + path
    answer = requests.request(
        method,
        url,
        json=activity,
        headers={"Authorization": f"Bearer {access_token(bot)}"},
        timeout=HTTP_TIMEOUT_SECONDS,
    )
    if answer.status_code == 429:
        raise Throttled(_retry_after(answer))
    if answer.status_code in {401, 403, 404}:
        logger.info(
            "teams: conversation %s refused a message (%s)", conversation.pk, answer.status_code
        )
        raise Unreachable(f"Teams answered {answer.status_code}")
    if answer.status_code >= 400:
        raise Unreachable(f"Teams answered {answer.status_code}")
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def member_email(bot: TeamsBot, conversation: Conversation) -> str:
    """The e-mail address Teams has for the conversation's user (empty when it has none)."""
    path = (
        f"{quote(conversation.conversation_id, safe='')}/members/"
        f"{quote(conversation.user_id, safe='')}"
    )
    answer = _call(bot, conversation, "GET", path, None)
    return str(answer.get("email") or answer.get("userPrincipalName") or "")


def send(bot: TeamsBot, conversation: Conversation, activity: dict[str, Any]) -> str:
    """Post an activity into the conversation; the id Teams gave it."""
    path = f"{quote(conversation.conversation_id, safe='')}/activities"
    return str(_call(bot, conversation, "POST", path, activity).get("id", ""))


def update(
    bot: TeamsBot, conversation: Conversation, activity_id: str, activity: dict[str, Any]
) -> None:
    """Replace an activity we sent earlier (a reminder card after its check-in)."""
    path = (
        f"{quote(conversation.conversation_id, safe='')}/activities/{quote(activity_id, safe='')}"
    )
    _call(bot, conversation, "PUT", path, {**activity, "id": activity_id})
