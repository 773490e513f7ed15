"""Teams as one of the chat app's platforms: where a linked person's messages go.

A chat link for Teams names the person's tenant (`external_team_id`) and their Entra object
id (`external_user_id`); the conversation reference Teams gave us when they installed the
bot says where to post. No reference, a removed bot, a disconnected organisation or a
refusal from Teams is `ChatUnreachable` (the chat app falls back to e-mail); a 429 is
`RateLimited`.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Organisation, Person
from bridgework.chat import api as chat
from bridgework.chat.platforms import ChatUnreachable, ExternalUser, RateLimited

from . import cards, connector
from .models import Conversation, TeamsBot, email_digest

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from bridgework.cohorts.api import Session
    from bridgework.practice.api import Commitment

logger = logging.getLogger(__name__)


def _reason(refusal: connector.Unreachable) -> str:
    """The chat app's short reason code for the Profile's "we could not reach you"."""
    if "404" in refusal.reason:
        return "user_not_found"
    if "not connected" in refusal.reason or "Bot Framework host" in refusal.reason:
        return "not_connected"
    if "answered 5" in refusal.reason or "token endpoint" in refusal.reason:
        return "unavailable"
    return "token_revoked"


def target(link: chat.ChatLink) -> tuple[TeamsBot, Conversation]:
    organisation = link.person.organisation
    bot = TeamsBot.objects.connected().filter(organisation=organisation).first()
    if bot is None:
        raise ChatUnreachable("not_connected")
    conversation = Conversation.objects.filter(
        bot=bot, aad_object_id=link.external_user_id, installed=True
    ).first()
    if conversation is None or bot.tenant_id != link.external_team_id:
        raise ChatUnreachable("token_revoked")
    return bot, conversation


def _post(link: chat.ChatLink, activity: dict[str, Any]) -> str:
    bot, conversation = target(link)
    try:
        return connector.send(bot, conversation, activity)
    except connector.Throttled as throttled:
        raise RateLimited(throttled.retry_after) from None
    except connector.Unreachable as refusal:
        raise ChatUnreachable(_reason(refusal)) from None


def _put(link: chat.ChatLink, activity_id: str, activity: dict[str, Any]) -> None:
    bot, conversation = target(link)
    try:
        connector.update(bot, conversation, activity_id, activity)
    except connector.Throttled as throttled:
        raise RateLimited(throttled.retry_after) from None
    except connector.Unreachable as refusal:
        raise ChatUnreachable(_reason(refusal)) from None


def session_start_words(session: Session, person: Person) -> str:
    from bridgework.lib.cadence import zone_or_utc

    zone = zone_or_utc(person.usual_time_zone)
    local = timezone.localtime(session.starts_at, zone)
    # Day and month names from Django's catalogs, in the language active for the person.
    return _("%(day)s at %(time)s (%(zone)s)") % {
        "day": formats.date_format(local, "l j F"),
        "time": formats.time_format(local, "H:i"),
        "zone": zone.key,
    }


class TeamsPlatform:
    key = chat.Platform.TEAMS.value
    label = str(chat.Platform.TEAMS.label)
    ask_for_code: StrOrPromise = gettext_lazy("in Teams: type link to the Bridgework bot")

    def is_connected(self, organisation: Organisation | None) -> bool:
        return (
            organisation is not None
            and TeamsBot.objects.connected().filter(organisation=organisation).exists()
        )

    def find_user(self, organisation: Organisation | None, email: str) -> ExternalUser | None:
        """The Teams user whose address (as Teams gave it when they installed the bot) is
        this one. They still confirm with the code the bot sends them."""
        digest = email_digest(email)
        if organisation is None or not digest:
            return None
        conversation = (
            Conversation.objects.filter(
                bot__in=TeamsBot.objects.connected().filter(organisation=organisation),
                email_digest=digest,
                installed=True,
            )
            .select_related("bot")
            .first()
        )
        if conversation is None:
            return None
        return ExternalUser(team_id=conversation.bot.tenant_id, user_id=conversation.aad_object_id)

    def send_commitment_reminder(
        self, link: chat.ChatLink, commitment: Commitment, period: date
    ) -> str | None:
        with translation.override(link.person.preferred_language):
            content = cards.commitment_reminder(
                label=chat.commitment_label(commitment),
                period_words=chat.period_words(commitment),
                commitment_id=commitment.pk,
                period=period,
            )
            activity = cards.message(content, _("Time for a quick check-in"))
        return _post(link, activity)

    def update_commitment_reminder(self, link: chat.ChatLink, message_ref: str, text: str) -> None:
        _put(link, message_ref, cards.message(cards.checked_in(text), text))

    def send_session_reminder(self, link: chat.ChatLink, session: Session) -> str | None:
        with translation.override(link.person.preferred_language):
            content = cards.session_reminder(
                session_id=session.pk,
                cohort_name=session.cohort.name,
                starts=session_start_words(session, link.person),
            )
            summary = _("Coming up: %(cohort)s") % {"cohort": session.cohort.name}
            activity = cards.message(content, summary)
        return _post(link, activity)

    def send_link_confirmation(self, link: chat.ChatLink, code: str) -> None:
        with translation.override(link.person.preferred_language):
            activity = cards.message(cards.link_code(code), _("Your Bridgework link code"))
        _post(link, activity)


PLATFORM = TeamsPlatform()


def forget_person(person: Person) -> None:
    """Erasure: the conversation references of the person's linked Teams account go."""
    for link in chat.links_of(person=person, platform_key=chat.Platform.TEAMS):
        Conversation.objects.filter(
            bot__organisation=person.organisation,
            bot__tenant_id=link.external_team_id,
            aad_object_id=link.external_user_id,
        ).delete()
