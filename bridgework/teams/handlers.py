"""What the bot does with each verified activity from Teams."""

from __future__ import annotations

import logging
from typing import Any

from . import services
from .models import TeamsBot

logger = logging.getLogger(__name__)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def tenant_of(activity: dict[str, Any]) -> str:
    tenant = _dict(_dict(activity.get("channelData")).get("tenant")).get("id")
    return _text(tenant or _dict(activity.get("conversation")).get("tenantId")).lower()


def _is_personal(activity: dict[str, Any]) -> bool:
    kind = _dict(activity.get("conversation")).get("conversationType", "personal")
    return bool(kind == "personal")


def _remember(bot: TeamsBot, activity: dict[str, Any]) -> None:
    sender = _dict(activity.get("from"))
    user_id = _text(sender.get("id"))
    conversation_id = _text(_dict(activity.get("conversation")).get("id"))
    if not user_id or not conversation_id or not _is_personal(activity):
        return
    services.remember_conversation(
        bot=bot,
        user_id=user_id,
        aad_object_id=_text(sender.get("aadObjectId"))[:64],
        conversation_id=conversation_id,
        service_url=_text(activity.get("serviceUrl")),
    )


def handle(bot: TeamsBot, activity: dict[str, Any]) -> dict[str, Any] | None:
    """Act on one activity; the body of the HTTP answer for an invoke, else None."""
    kind = _text(activity.get("type"))
    user_id = _text(_dict(activity.get("from")).get("id"))
    if kind == "installationUpdate":
        if _text(activity.get("action")).startswith("remove"):
            services.forget_conversation(bot=bot, user_id=user_id)
        else:
            _remember(bot, activity)
        return None
    if kind == "conversationUpdate":
        recipient = _text(_dict(activity.get("recipient")).get("id"))
        removed = [_text(_dict(m).get("id")) for m in activity.get("membersRemoved") or []]
        if recipient and recipient in removed:
            services.forget_conversation(bot=bot, user_id=user_id)
        else:
            _remember(bot, activity)
        return None
    logger.info("teams: bot %s ignored an activity of type %s", bot.pk, kind[:40])
    return None
