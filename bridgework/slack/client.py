"""Calls to Slack's Web API with slack-sdk, and what Slack's answers mean to Bridgework.

An answer that says the app is gone (`invalid_auth`, `token_revoked`, ...) stops all
sending to the workspace at once, as the `app_uninstalled` event would; a 429 becomes
`RateLimited` with Slack's Retry-After; an answer about one person (`user_not_found`)
becomes `ChatUnreachable` for that person only. Logs name the method and error code, never
what was sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bridgework.chat.platforms import ChatUnreachable, RateLimited

from .models import SlackWorkspace

logger = logging.getLogger(__name__)

# Slack's error codes that mean the app has lost the workspace, not just one message.
GONE = frozenset(
    {
        "invalid_auth",
        "token_revoked",
        "account_inactive",
        "not_authed",
        "app_uninstalled",
        "team_access_not_granted",
        "missing_scope",
    }
)
DEFAULT_RETRY_AFTER = 30


def web_client(token: str | None = None) -> WebClient:
    return WebClient(token=token, base_url=settings.SLACK_API_URL, timeout=10)


def for_workspace(workspace: SlackWorkspace | None) -> WebClient:
    if workspace is None or not workspace.is_usable:
        raise ChatUnreachable("not_connected")
    token = workspace.bot_token()
    if token is None:
        raise ChatUnreachable("not_connected")
    return web_client(token)


def mark_revoked(workspace: SlackWorkspace, reason: str) -> None:
    SlackWorkspace.objects.filter(pk=workspace.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_reason=reason[:40]
    )


def call[T](workspace: SlackWorkspace | None, method: str, request: Callable[[WebClient], T]) -> T:
    client = for_workspace(workspace)
    assert workspace is not None
    try:
        return request(client)
    except SlackApiError as error:
        status = error.response.status_code
        code = str(error.response.get("error", "")) if isinstance(error.response.data, dict) else ""
        logger.info("slack %s for workspace %s: %s %s", method, workspace.pk, status, code)
        if status == 429:
            retry_after = error.response.headers.get("Retry-After") or error.response.headers.get(
                "retry-after"
            )
            try:
                seconds = int(str(retry_after))
            except ValueError:
                seconds = DEFAULT_RETRY_AFTER
            raise RateLimited(seconds) from None
        if code in GONE:
            mark_revoked(workspace, code)
            raise ChatUnreachable(code) from None
        if status < 500 and code:
            raise ChatUnreachable(code) from None
        raise
