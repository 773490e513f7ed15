"""What Slack sends us: events, button presses and modal submissions, slash commands.

Every request is checked first (`verified_workspace`): its signature is Slack's HMAC of the
timestamp and body with the workspace's signing secret, made within the last five
minutes, so a replayed or altered request is refused. Then each handler finds the person
by their confirmed link and calls the chat actions (bridgework/chat/api.py), which are
idempotent: Slack's retries and double clicks change nothing twice. Slack waits three
seconds for the answer, so calls to its Web API are left to the worker (`answer`), all but
`views.open`; those that fail are logged (ids and error codes only).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from slack_sdk.errors import SlackApiError
from slack_sdk.signature import SignatureVerifier
from slack_sdk.webhook import WebhookClient

from bridgework.accounts.models import usual_language
from bridgework.chat import api as chat
from bridgework.chat.platforms import ChatUnreachable, RateLimited
from bridgework.cohorts import api as cohorts
from bridgework.cohorts.api import Session
from bridgework.curriculum.api import Tip

from . import blocks, client, services, tasks
from .models import SlackEvent, SlackWorkspace

logger = logging.getLogger(__name__)
Payload = dict[str, Any]


def _signature_ok(secret: str | None, body: bytes, headers: Mapping[str, str]) -> bool:
    if not secret:
        return False
    try:
        return SignatureVerifier(secret).is_valid_request(body, dict(headers))
    except ValueError:  # a timestamp that is not a number
        return False


def verified_workspace(
    team_id: str, body: bytes, headers: Mapping[str, str]
) -> SlackWorkspace | None:
    workspace = (
        SlackWorkspace.objects.select_related("organisation").filter(team_id=team_id).first()
    )
    if workspace is None or not _signature_ok(workspace.signing_secret(), body, headers):
        return None
    return workspace


def verified_by_any(body: bytes, headers: Mapping[str, str]) -> bool:
    """Slack's url_verification names no workspace: any secret we hold may have signed it."""
    secrets = [settings.SLACK_SIGNING_SECRET] + [
        workspace.signing_secret()
        for workspace in SlackWorkspace.objects.filter(via=SlackWorkspace.Via.PASTED)
    ]
    return any(_signature_ok(secret, body, headers) for secret in secrets)


def _link(workspace: SlackWorkspace, user_id: str) -> chat.ChatLink | None:
    link = chat.person_for(platform_key="slack", team_id=workspace.team_id, user_id=user_id)
    if link is None or link.person.organisation_id != workspace.organisation_id:
        return None
    return link


def _language(workspace: SlackWorkspace, link: chat.ChatLink | None) -> str:
    """What we say to someone in Slack is in their language; to someone not linked yet, in
    their organisation's."""
    if link is not None:
        return link.person.preferred_language
    return usual_language("", workspace.organisation)


# --- events ----------------------------------------------------------------------------------


def first_time(event_id: str) -> bool:
    if not event_id:
        return True
    try:
        with transaction.atomic():
            SlackEvent.objects.create(event_id=event_id[:64])
    except IntegrityError:
        return False
    return True


def handle_event(workspace: SlackWorkspace, envelope: Payload) -> None:
    if not first_time(str(envelope.get("event_id", ""))):
        return  # a retry of an event already handled
    event = envelope.get("event") or {}
    kind = event.get("type")
    if kind == "app_uninstalled":
        services.stop_for_team(team_id=workspace.team_id, reason="app_uninstalled")
    elif kind == "tokens_revoked" and (event.get("tokens") or {}).get("bot"):
        services.stop_for_team(team_id=workspace.team_id, reason="tokens_revoked")
    elif kind == "app_home_opened" and event.get("tab") == "home":
        tasks.answer.enqueue(workspace.pk, str(event.get("user", "")), "", "home", "")


def publish_home(workspace: SlackWorkspace, user_id: str) -> None:
    link = _link(workspace, user_id)
    with translation.override(_language(workspace, link)):
        view = (
            blocks.home(chat.this_week(link))
            if link
            else {"type": "home", "blocks": blocks.not_linked()}
        )
    _quietly(
        workspace,
        "views.publish",
        lambda c: c.views_publish(user_id=user_id, view=view),
    )


def _quietly(workspace: SlackWorkspace, method: str, request: Any) -> None:
    try:
        client.call(workspace, method, request)
    except (ChatUnreachable, RateLimited, SlackApiError) as error:
        logger.info(
            "slack %s for workspace %s failed: %s", method, workspace.pk, type(error).__name__
        )


# --- button presses and modals ---------------------------------------------------------------
#
# Slack wants the HTTP answer within three seconds, so a handler does only our own database
# work; what it shows in return (a reply through response_url, a direct message, the Home
# tab) is queued for the worker. Only `views.open` is called at once: its trigger_id lasts
# three seconds.


def _answer_later(
    workspace: SlackWorkspace, user_id: str, payload: Payload, what: str, argument: str = ""
) -> None:
    """Queue the answer to a press: through the response_url of the message pressed, or,
    in App Home (which has no message to replace), the tab again or a direct message."""
    if (payload.get("container") or {}).get("type") == "view":
        if what in ("home", "tip", "committed"):
            tasks.answer.enqueue(workspace.pk, user_id, "", what, argument)
    elif url := str(payload.get("response_url", "")):
        tasks.answer.enqueue(workspace.pk, user_id, url, what, argument)


def _respond(url: str, message_blocks: list[blocks.Block], text: str) -> None:
    """Replace the message a button was on, through the response_url Slack gave us (only
    ever one of Slack's own addresses)."""
    if not url.startswith(settings.SLACK_RESPONSE_URL_PREFIX):
        return
    try:
        WebhookClient(url, timeout=10).send(text=text, blocks=message_blocks, replace_original=True)
    except OSError as error:
        logger.info("slack response_url failed: %s", type(error).__name__)


def _answer_blocks(
    workspace: SlackWorkspace, user_id: str, what: str, argument: str
) -> tuple[list[blocks.Block], str] | None:
    if what == "said":
        return [blocks.section(argument)], argument
    link = _link(workspace, user_id)
    if link is None or what == "not_linked":
        return blocks.not_linked(), _("Not linked yet")
    if what == "week":
        return blocks.this_week(chat.this_week(link), where="reply"), argument
    offered = Tip.objects.filter(organisation_id=workspace.organisation_id)
    tip = offered.filter(pk=int(argument)).first() if argument.isdigit() else None
    if what == "tip":
        return blocks.tip(tip), _("One thing to try")
    if what == "committed" and tip is not None:
        return blocks.committed(tip), _("Committed to %(title)s") % {"title": tip.title}
    return None


def answer(workspace_id: int, user_id: str, response_url: str, what: str, argument: str) -> None:
    """The worker's half of a press (see `_answer_later`); `what` names the answer and
    `argument` is a tip id, a check-in's words or a refusal, never anything private."""
    workspace = (
        SlackWorkspace.objects.select_related("organisation").filter(pk=workspace_id).first()
    )
    if workspace is None:
        return
    if what == "home":
        publish_home(workspace, user_id)
        return
    with translation.override(_language(workspace, _link(workspace, user_id))):
        found = _answer_blocks(workspace, user_id, what, argument)
    if found is None:
        return
    message_blocks, text = found
    if response_url:
        _respond(response_url, message_blocks, text)
        return
    _quietly(
        workspace,
        "chat.postMessage",
        lambda c: c.chat_postMessage(channel=user_id, text=text, blocks=message_blocks),
    )


def handle_interaction(workspace: SlackWorkspace, payload: Payload) -> Payload | None:
    """Returns a JSON answer for Slack (modal errors), or None for an empty 200."""
    user_id = str((payload.get("user") or {}).get("id", ""))
    link = _link(workspace, user_id)
    with translation.override(_language(workspace, link)):
        return _interaction(workspace, payload, user_id, link)


def _interaction(
    workspace: SlackWorkspace, payload: Payload, user_id: str, link: chat.ChatLink | None
) -> Payload | None:
    if payload.get("type") == "view_submission":
        return _pulse_submitted(link, payload)
    if payload.get("type") != "block_actions":
        return None
    if link is None:
        _answer_later(workspace, user_id, payload, "not_linked")
        return None
    action = (payload.get("actions") or [{}])[0]
    action_id = str(action.get("action_id", ""))
    value = str(action.get("value", ""))
    try:
        if action_id.startswith("check_in:"):
            _check_in(workspace, link, payload, action_id.removeprefix("check_in:"), value)
        elif action_id == "pick":
            found = chat.suggest_one(link)
            _answer_later(workspace, user_id, payload, "tip", str(found.pk) if found else "")
        elif action_id == "commit":
            tip, _made_now = chat.commit_to(link=link, tip_id=int(value))
            _answer_later(workspace, user_id, payload, "committed", str(tip.pk))
        elif action_id == "pulse":
            _open_pulse(workspace, link, payload, value)
    except chat.ActionRefused as refused:
        _answer_later(workspace, user_id, payload, "said", str(refused))
    except ValueError:
        logger.info("slack action %s with a malformed value", action_id)
    return None


def _check_in(
    workspace: SlackWorkspace, link: chat.ChatLink, payload: Payload, outcome: str, value: str
) -> None:
    target = blocks.read_check_in_value(value)
    if target is None:
        raise ValueError(value)
    text = chat.check_in(link=link, commitment_id=target[0], period=target[1], outcome=outcome)
    container = payload.get("container") or {}
    if container.get("type") == "view":
        _answer_later(workspace, link.external_user_id, payload, "home")
    elif container.get("type") != "message" or container.get("is_ephemeral"):
        _answer_later(workspace, link.external_user_id, payload, "week", text)
    # Pressed on the reminder itself: chat's check-in listener updates that message, as it
    # does for a check-in made anywhere else.


def _open_pulse(
    workspace: SlackWorkspace, link: chat.ChatLink, payload: Payload, value: str
) -> None:
    session = (
        Session.objects.select_related("cohort")
        .filter(pk=int(value), cohort__organisation_id=workspace.organisation_id)
        .first()
    )
    if session is None:
        raise chat.ActionRefused(_("That session is not one of yours."))
    # The button is on a reminder sent before the session, to everyone in the cohort: no
    # form to fill in for nothing (the pulse not open yet, someone not marked present, a
    # facilitator, a month of feedback full since), but the reason.
    refusal = cohorts.pulse_refusal(
        session=session,
        person=link.person,
        standing=cohorts.pulse_standing(session=session, person=link.person),
        now=timezone.now(),
    )
    view = blocks.pulse_not_needed_modal(refusal) if refusal else blocks.pulse_modal(session)
    trigger = str(payload.get("trigger_id", ""))
    _quietly(workspace, "views.open", lambda c: c.views_open(trigger_id=trigger, view=view))


def _selected(values: Payload, block_id: str) -> int:
    element = (values.get(block_id) or {}).get("value") or {}
    option = element.get("selected_option") or {}
    return int(option.get("value", 0) or 0)


def _pulse_submitted(link: chat.ChatLink | None, payload: Payload) -> Payload | None:
    view = payload.get("view") or {}
    if view.get("callback_id") != "pulse":
        return None
    if link is None:
        return {"response_action": "errors", "errors": {"useful": _("Link Bridgework first.")}}
    values = (view.get("state") or {}).get("values") or {}
    line = str(((values.get("line") or {}).get("value") or {}).get("value") or "")
    try:
        first = chat.answer_pulse(
            link=link,
            session_id=int(view.get("private_metadata", 0)),
            useful=_selected(values, "useful"),
            safe=_selected(values, "safe"),
            line=line,
        )
    except chat.ActionRefused as refused:
        return {"response_action": "errors", "errors": {"useful": str(refused)}}
    except ValueError:
        return {
            "response_action": "errors",
            "errors": {"useful": _("Choose a number from 1 to 5.")},
        }
    if first:
        return None
    # Sent from a second modal, or sent again: say so rather than close as if it counted.
    already = _("You had already answered this pulse; your first answers stand.")
    return {"response_action": "update", "view": blocks.pulse_not_needed_modal(already)}


# --- /bridgework --------------------------------------------------------------------------------


def handle_command(workspace: SlackWorkspace, form: Mapping[str, str]) -> Payload:
    user_id = form.get("user_id", "")
    link = _link(workspace, user_id)
    with translation.override(_language(workspace, link)):
        return _command(workspace, form.get("text", "").strip().lower(), user_id, link)


def _command(
    workspace: SlackWorkspace, word: str, user_id: str, link: chat.ChatLink | None
) -> Payload:
    if word == "link":
        code = chat.code_for_chat_account(
            platform_key="slack", team_id=workspace.team_id, user_id=user_id
        )
        return _ephemeral(blocks.link_code(code), _("Your Bridgework code"))
    if link is None:
        return _ephemeral(blocks.not_linked(), _("Not linked yet"))
    if word == "pick":
        return _ephemeral(blocks.tip(chat.suggest_one(link)), _("One thing to try"))
    if word in ("", "week"):
        return _ephemeral(blocks.this_week(chat.this_week(link), where="reply"), _("This week"))
    return _ephemeral(
        [
            blocks.section(
                _(
                    "`/bridgework` shows this week's commitments, `/bridgework pick` one thing "
                    "to try, `/bridgework link` a code to link your account."
                )
            )
        ],
        _("Bridgework commands"),
    )


def _ephemeral(message_blocks: list[blocks.Block], text: str) -> Payload:
    return {"response_type": "ephemeral", "text": text, "blocks": message_blocks}


def parse_payload(raw: str) -> Payload | None:
    try:
        payload = json.loads(raw)
    except ValueError:
        return None
    return payload if isinstance(payload, dict) else None
