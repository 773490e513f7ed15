"""Connecting and disconnecting an organisation's Slack workspace. Keyword-only, validated,
atomic. A pasted token is checked with auth.test before anything is saved."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.oauth.installation_store import Installation

from bridgework.accounts.models import Organisation, Person
from bridgework.chat import api as chat

from . import client
from .models import SlackWorkspace

logger = logging.getLogger(__name__)

SCOPES = [
    "chat:write",  # reminders and their updates, as direct messages
    "commands",  # /bridgework
    "im:write",  # open the direct message with a person
    "users:read",
    "users:read.email",  # find a person by their verified address, to send a link code
]


def _taken_elsewhere(team_id: str, organisation: Organisation) -> bool:
    return (
        SlackWorkspace.objects.filter(team_id=team_id).exclude(organisation=organisation).exists()
    )


@transaction.atomic
def connect_pasted(
    *, organisation: Organisation, actor: Person, bot_token: str, signing_secret: str
) -> SlackWorkspace:
    try:
        answer = client.web_client(bot_token).auth_test()
    except SlackApiError as error:
        code = error.response.get("error", "") if isinstance(error.response.data, dict) else ""
        raise ValidationError(
            {
                "bot_token": _("Slack did not accept this token (%(code)s).")
                % {"code": code or _("no answer")}
            }
        ) from None
    except (OSError, SlackClientError, ValueError) as error:
        # No answer at all: Slack (or the way to it) is down, or something in between
        # answered instead of Slack. The token may be fine, so nothing about it is said.
        logger.warning(
            "slack: could not reach Slack to check a pasted token for organisation %s (%s)",
            organisation.pk,
            type(error).__name__,
        )
        raise ValidationError(
            {"bot_token": _("We could not reach Slack to check the token; try again.")}
        ) from None
    team_id = str(answer.get("team_id", ""))
    if not team_id:
        raise ValidationError(
            {"bot_token": _("Slack did not say which workspace this token is for.")}
        )
    if _taken_elsewhere(team_id, organisation):
        raise ValidationError(
            {"bot_token": _("That workspace is connected to another organisation.")}
        )
    SlackWorkspace.objects.filter(organisation=organisation).delete()
    # Whoever holds a pasted app's signing secret can sign requests as any linked person:
    # links made before (through Bridgework's app, or an earlier one) do not carry over, nor
    # do codes an earlier app showed in the workspace that nobody has entered yet.
    unlinked = chat.unlink_everyone(organisation_id=organisation.pk, platform_key="slack")
    chat.forget_link_codes(platform_key="slack", team_ids=[team_id])
    workspace = SlackWorkspace(
        organisation=organisation,
        team_id=team_id,
        team_name=str(answer.get("team", ""))[:200],
        bot_user_id=str(answer.get("user_id", "")),
        app_id=str(answer.get("app_id", "") or ""),
        via=SlackWorkspace.Via.PASTED,
        installed_by=actor,
        installed_at=timezone.now(),
    )
    workspace.set_bot_token(bot_token)
    workspace.set_signing_secret(signing_secret)
    workspace.save()
    logger.info(
        "slack workspace %s connected for organisation %s (%s links removed)",
        workspace.pk,
        organisation.pk,
        unlinked,
    )
    return workspace


@transaction.atomic
def save_installation(
    *, organisation: Organisation, actor: Person | None, installation: Installation
) -> SlackWorkspace:
    """The end of "Add to Slack": slack-sdk's Installation, kept as this organisation's."""
    team_id = installation.team_id or ""
    if not team_id or not installation.bot_token:
        raise ValidationError(_("Slack did not give Bridgework a bot token."))
    if _taken_elsewhere(team_id, organisation):
        raise ValidationError(_("That workspace is connected to another organisation."))
    SlackWorkspace.objects.filter(organisation=organisation).delete()
    workspace = SlackWorkspace(
        organisation=organisation,
        team_id=team_id,
        team_name=(installation.team_name or "")[:200],
        bot_user_id=installation.bot_user_id or "",
        app_id=installation.app_id or "",
        via=SlackWorkspace.Via.OAUTH,
        installed_by=actor,
        installed_at=timezone.now(),
    )
    workspace.set_bot_token(installation.bot_token)
    workspace.save()
    return workspace


@transaction.atomic
def disconnect(*, organisation: Organisation) -> None:
    """Forget the token: nothing more is sent. People's links stay for a reconnect through
    "Add to Slack"; connecting a pasted app removes them (`connect_pasted`)."""
    SlackWorkspace.objects.filter(organisation=organisation).delete()


def stop_for_team(*, team_id: str, reason: str) -> bool:
    """Slack said the app was uninstalled or its tokens revoked: stop at once."""
    workspace = SlackWorkspace.objects.filter(team_id=team_id).first()
    if workspace is None:
        return False
    client.mark_revoked(workspace, reason)
    return True
