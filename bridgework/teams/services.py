"""Writes for the Teams settings and for what Teams tells us about installations."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from bridgework.accounts import services as accounts_services
from bridgework.accounts.models import Person
from bridgework.chat import api as chat

from .models import Conversation, TeamsBot, email_digest

logger = logging.getLogger(__name__)
KEY = chat.Platform.TEAMS.value


@transaction.atomic
def save_bot(*, bot: TeamsBot, actor: Person, new_secret: str, changed: list[str]) -> bool:
    """Save the Teams settings (connecting the bot) and audit each changed setting by name.
    True when they name another app registration or tenant than before, which unlinks
    everyone (`_start_over`); a new secret for the same app keeps every link."""
    now = timezone.now()
    before = (
        TeamsBot.objects.select_for_update()
        .filter(pk=bot.pk)
        .values_list("app_id", "tenant_id")
        .first()
        if bot.pk
        else None
    )
    replaced = before is not None and before != (bot.app_id, bot.tenant_id)
    if before is not None and replaced:
        _start_over(bot, old_tenant_id=before[1], now=now)
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
    return replaced


def _start_over(bot: TeamsBot, *, old_tenant_id: str, now: datetime) -> None:
    """Whoever owns an app registration can have Teams send activities in the name of anyone
    linked through it, so links made through the old app do not carry over: each person
    decides again whether to link, through the new one. Nor do the conversations Teams
    opened with the old bot (the new app never writes to people through them), or codes it
    showed that nobody has entered yet. The settings page then says, as for a first save,
    that the new app is not checked yet."""
    conversations = Conversation.objects.filter(bot=bot)
    accounts = list(conversations.values_list("aad_object_id", flat=True))
    chat.forget_link_codes(
        platform_key=KEY, team_ids={old_tenant_id, bot.tenant_id}, user_ids=accounts
    )
    conversations.delete()
    unlinked = chat.unlink_everyone(organisation_id=bot.organisation_id, platform_key=KEY)
    bot.connected_at, bot.last_heard_at, bot.credentials_refused_at = now, None, None
    logger.info("teams: bot %s names another app or tenant (%s links removed)", bot.pk, unlinked)


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
