"""What the bot does with each verified activity from Teams.

- installationUpdate / conversationUpdate: remember where to reach the user in their
  personal chat, or (on removal) stop sending there at once;
- a message: a command ("pick one thing", "this week", "pulse", "link", anything else gets
  help), or a card's Action.Submit (its `value`): check in, commit, answer the pulse;
- an `adaptiveCard/action` invoke: the same card actions, answered with the new card.

Everything a command touches belongs to the person whose confirmed chat link is the
sender's account in the bot's tenant; an account with no link is told how to link.
Replies go back through the Bot Connector; a reply that cannot be sent is logged by id.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

import requests
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import usual_language
from bridgework.chat import api as chat
from bridgework.cohorts import api as cohorts

from . import cards, connector, services
from .models import Conversation, TeamsBot

logger = logging.getLogger(__name__)
MENTION = re.compile(r"<at>.*?</at>", re.DOTALL)
KEY = chat.Platform.TEAMS.value
NOT_OURS = gettext_lazy("That button is not one Bridgework made.")


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def tenant_of(activity: dict[str, Any]) -> str:
    tenant = _dict(_dict(activity.get("channelData")).get("tenant")).get("id")
    return _text(tenant or _dict(activity.get("conversation")).get("tenantId")).lower()


def _is_personal(activity: dict[str, Any]) -> bool:
    """Whether the activity comes from a one-to-one chat with the bot.

    Teams names every conversation's kind ("personal", "groupChat", "channel"). One that
    does not say is not taken for personal: a reply there could show a person's commitments
    or their pulse card to everyone in a shared chat or channel."""
    return _dict(activity.get("conversation")).get("conversationType") == "personal"


def _sender(activity: dict[str, Any]) -> tuple[str, str]:
    """(Teams user id, Entra object id) of whoever sent the activity."""
    sender = _dict(activity.get("from"))
    return _text(sender.get("id")), _text(sender.get("aadObjectId")).lower()[:64]


def _remember(bot: TeamsBot, activity: dict[str, Any]) -> Conversation | None:
    user_id, aad_object_id = _sender(activity)
    conversation_id = _text(_dict(activity.get("conversation")).get("id"))
    if not user_id or not aad_object_id or not conversation_id or not _is_personal(activity):
        return None
    return services.remember_conversation(
        bot=bot,
        user_id=user_id,
        aad_object_id=aad_object_id,
        conversation_id=conversation_id,
        service_url=_text(activity.get("serviceUrl")),
    )


def _learn_email(bot: TeamsBot, conversation: Conversation | None) -> None:
    """Ask Teams once for the user's e-mail address and keep only its digest."""
    if conversation is None or conversation.email_digest:
        return
    try:
        email = connector.member_email(bot, conversation)
    except (connector.Unreachable, connector.Throttled, requests.RequestException) as problem:
        logger.info(
            "teams: no e-mail for conversation %s (%s)", conversation.pk, type(problem).__name__
        )
        return
    services.keep_email_digest(conversation=conversation, email=email)


def _link(bot: TeamsBot, aad_object_id: str) -> chat.ChatLink | None:
    link = chat.person_for(platform_key=KEY, team_id=bot.tenant_id, user_id=aad_object_id)
    if link is None or link.person.organisation_id != bot.organisation_id:
        return None
    return link


def _language(bot: TeamsBot, aad_object_id: str) -> str:
    """What the bot says is in the linked person's language; to someone not linked yet, in
    their organisation's."""
    link = _link(bot, aad_object_id)
    if link is not None:
        return link.person.preferred_language
    return usual_language("", bot.organisation)


def _reply(bot: TeamsBot, conversation: Conversation | None, activity: dict[str, Any]) -> None:
    if conversation is None:
        return
    try:
        connector.send(bot, conversation, activity)
    except (connector.Unreachable, connector.Throttled, requests.RequestException) as problem:
        logger.info(
            "teams: reply in conversation %s not sent (%s)", conversation.pk, type(problem).__name__
        )


def _replace(
    bot: TeamsBot, conversation: Conversation | None, activity_id: str, content: dict[str, Any]
) -> None:
    """Update the card a button was pressed on, in place (Action.Submit)."""
    if conversation is None or not activity_id:
        return
    try:
        connector.update(bot, conversation, activity_id, cards.message(content, "Bridgework"))
    except (connector.Unreachable, connector.Throttled, requests.RequestException) as problem:
        logger.info(
            "teams: card in conversation %s not updated (%s)",
            conversation.pk,
            type(problem).__name__,
        )


# --- Card actions ----------------------------------------------------------------------------


def card_action(
    link: chat.ChatLink | None, data: dict[str, Any], pressed_on: str = ""
) -> dict[str, Any]:
    """Do what a button asked and return the card that replaces the pressed one (the
    activity `pressed_on`)."""
    if link is None:
        return cards.card([cards.text(cards.NOT_LINKED)])
    what = _text(data.get("bridgework"))
    try:
        if what == "check_in":
            commitment_id = _int(data.get("commitment"))
            period = date.fromisoformat(_text(data.get("period")))
            if commitment_id is None:
                raise chat.ActionRefused(str(NOT_OURS))
            words = chat.check_in(
                link=link,
                commitment_id=commitment_id,
                period=period,
                outcome=_text(data.get("outcome")),
                shown_in=pressed_on,
            )
            return cards.checked_in(words)
        if what == "commit":
            tip_id = _int(data.get("tip"))
            if tip_id is None:
                raise chat.ActionRefused(str(NOT_OURS))
            tip, made_now = chat.commit_to(link=link, tip_id=tip_id)
            return cards.committed(tip.title, made_now)
        if what == "pulse":
            session_id, useful, safe = (_int(data.get(k)) for k in ("session", "useful", "safe"))
            if session_id is None or useful is None or safe is None:
                raise chat.ActionRefused(_("Choose a number from 1 to 5 for both questions."))
            first = chat.answer_pulse(
                link=link,
                session_id=session_id,
                useful=useful,
                safe=safe,
                line=_text(data.get("line")),
            )
            words = (
                _("Thank you: your answers are kept apart from your name.")
                if first
                else _("You had already answered this pulse; your first answers stand.")
            )
            return cards.checked_in(words)
    except ValueError:
        return cards.card([cards.text(NOT_OURS)])
    except chat.ActionRefused as refusal:
        return cards.card([cards.text(str(refusal))])
    return cards.card([cards.text(NOT_OURS)])


# --- Commands --------------------------------------------------------------------------------


def _open_pulse(link: chat.ChatLink) -> dict[str, Any]:
    """The pulse card of the latest session whose pulse the person may still answer, in a
    month of feedback not yet full. If each such pulse falls in a full month, where its
    answers would be refused, no card to fill in for nothing: the web's kind sentence."""
    now = timezone.now()
    answered = cohorts.PulseResponse.objects.filter(person=link.person).values("session_id")
    sessions = (
        cohorts.Session.objects.filter(
            cohort__organisation=link.person.organisation,
            attendance__person=link.person,
            starts_at__lte=now,
            starts_at__gte=now - timedelta(days=cohorts.PULSE_OPEN_DAYS + 1),
        )
        .exclude(pk__in=answered)
        .select_related("cohort")
        .order_by("-starts_at")[:5]
    )
    month_full = False
    for session in sessions:
        if not session.pulse_open(now) or not cohorts.may_answer(session, link.person):
            continue
        if cohorts.month_of_feedback_full(session=session, person=link.person):
            month_full = True
            continue
        content = cards.pulse(session_id=session.pk, cohort_name=session.cohort.name)
        return cards.message(content, _("Session pulse"))
    if month_full:
        return cards.plain(cohorts.FEEDBACK_MONTH_FULL)
    return cards.plain(_("No session pulse is waiting for you."))


def command(bot: TeamsBot, aad_object_id: str, words: str) -> dict[str, Any]:
    """The reply to a typed message."""
    said = " ".join(MENTION.sub(" ", words).lower().split()).strip(" .!?")
    link = _link(bot, aad_object_id)
    if said in {"link", "link me", "connect"}:
        if link is not None:
            return cards.plain(_("This Teams account is already linked to Bridgework."))
        code = chat.code_for_chat_account(
            platform_key=KEY, team_id=bot.tenant_id, user_id=aad_object_id
        )
        return cards.message(cards.link_code(code), _("Your Bridgework link code"))
    if said not in {"pick one thing", "pick", "this week", "pulse"}:
        return cards.plain(cards.HELP)
    if link is None:
        return cards.plain(cards.NOT_LINKED)
    if said in {"pick one thing", "pick"}:
        tip = chat.suggest_one(link)
        if tip is None:
            return cards.plain(_("Nothing new to suggest right now. Try again tomorrow."))
        content = cards.suggestion(
            tip_id=tip.pk, title=tip.title, practice=tip.get_practice_display()
        )
        return cards.message(content, _("One thing to try"))
    if said == "this week":
        return cards.message(cards.this_week(chat.this_week(link)), _("This week"))
    return _open_pulse(link)


# --- Dispatch --------------------------------------------------------------------------------


def handle(bot: TeamsBot, activity: dict[str, Any]) -> dict[str, Any] | None:
    """Act on one activity; the body of the HTTP answer for an invoke, else None."""
    services.heard_from(bot=bot)
    kind = _text(activity.get("type"))
    _, aad_object_id = _sender(activity)
    if kind == "installationUpdate":
        if _text(activity.get("action")).startswith("remove"):
            services.forget_conversation(bot=bot, aad_object_id=aad_object_id)
        else:
            _learn_email(bot, _remember(bot, activity))
        return None
    if kind == "conversationUpdate":
        recipient = _text(_dict(activity.get("recipient")).get("id"))
        members = activity.get("membersRemoved")
        removed = [_text(_dict(m).get("id")) for m in members] if isinstance(members, list) else []
        if recipient and recipient in removed:
            services.forget_conversation(bot=bot, aad_object_id=aad_object_id)
        else:
            _learn_email(bot, _remember(bot, activity))
        return None
    if not aad_object_id or not _is_personal(activity):
        logger.info("teams: bot %s ignored a %s outside a personal chat", bot.pk, kind[:40])
        return None
    conversation = _remember(bot, activity)
    with translation.override(_language(bot, aad_object_id)):
        return _answer(bot, activity, kind, aad_object_id, conversation)


def _answer(
    bot: TeamsBot,
    activity: dict[str, Any],
    kind: str,
    aad_object_id: str,
    conversation: Conversation | None,
) -> dict[str, Any] | None:
    if kind == "invoke" and _text(activity.get("name")) == "adaptiveCard/action":
        data = _dict(_dict(_dict(activity.get("value")).get("action")).get("data"))
        pressed_on = _text(activity.get("replyToId"))
        content = card_action(_link(bot, aad_object_id), data, pressed_on)
        return {"statusCode": 200, "type": cards.CARD_TYPE, "value": content}
    if kind != "message":
        logger.info("teams: bot %s ignored an activity of type %s", bot.pk, kind[:40])
        return None
    value = _dict(activity.get("value"))
    if value.get("bridgework"):
        pressed_on = _text(activity.get("replyToId"))
        content = card_action(_link(bot, aad_object_id), value, pressed_on if conversation else "")
        _replace(bot, conversation, pressed_on, content)
        return None
    _reply(bot, conversation, command(bot, aad_object_id, _text(activity.get("text"))))
    return None
