"""Writes for the Teams settings and for what Teams tells us about installations."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from bridgework.accounts import services as accounts_services
from bridgework.accounts.models import Person

from .models import Conversation, TeamsBot, email_digest

logger = logging.getLogger(__name__)


@transaction.atomic
def save_bot(*, bot: TeamsBot, actor: Person, new_secret: str, changed: list[str]) -> None:
    """Save the Teams settings (connecting the bot) and audit each changed setting by name."""
    now = timezone.now()
    if new_secret:
        bot.set_secret(new_secret)
        bot.credentials_refused_at = None
    if bot.connected_at is None or bot.disconnected_at is not None:
        bot.connected_at, bot.disconnected_at = now, None
    bot.updated_at = now
    bot.save()
    for setting in changed:
        accounts_services.record_settings_change(
            organisation=bot.organisation, actor=actor, setting=setting
        )


@transaction.atomic
def disconnect_bot(*, bot: TeamsBot, actor: Person) -> None:
    """Stop at once: the secret is forgotten (so no token can be had), incoming activities
    are refused, and every conversation reference is deleted."""
    bot.forget_secret()
    bot.disconnected_at = bot.updated_at = timezone.now()
    bot.save()
    bot.conversations.all().delete()
    accounts_services.record_settings_change(
        organisation=bot.organisation, actor=actor, setting="Teams disconnected"
    )
    logger.info("teams: bot %s disconnected by person %s", bot.pk, actor.pk)


@transaction.atomic
def remember_conversation(
    *, bot: TeamsBot, user_id: str, aad_object_id: str, conversation_id: str, service_url: str
) -> Conversation:
    """Keep (or refresh) where to reach this Teams user in their personal chat."""
    conversation, _ = Conversation.objects.update_or_create(
        bot=bot,
        aad_object_id=aad_object_id,
        defaults={
            "user_id": user_id,
            "conversation_id": conversation_id,
            "service_url": service_url,
            "installed": True,
            "updated_at": timezone.now(),
        },
    )
    return conversation


@transaction.atomic
def keep_email_digest(*, conversation: Conversation, email: str) -> None:
    conversation.email_digest = email_digest(email)
    Conversation.objects.filter(pk=conversation.pk).update(email_digest=conversation.email_digest)


@transaction.atomic
def heard_from(*, bot: TeamsBot) -> None:
    TeamsBot.objects.filter(pk=bot.pk).update(last_heard_at=timezone.now())


@transaction.atomic
def forget_conversation(*, bot: TeamsBot, aad_object_id: str) -> None:
    """The user removed the bot: nothing is sent to them from this moment."""
    Conversation.objects.filter(bot=bot, aad_object_id=aad_object_id).update(
        installed=False, updated_at=timezone.now()
    )
