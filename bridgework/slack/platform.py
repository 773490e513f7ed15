"""Slack as a chat platform for bridgework.chat (registered in SlackConfig.ready)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from slack_sdk.errors import SlackApiError

from bridgework.accounts.models import Organisation
from bridgework.chat import api as chat
from bridgework.chat.platforms import ChatUnreachable, ExternalUser
from bridgework.cohorts import api as cohorts
from bridgework.cohorts.api import Session
from bridgework.practice.api import Commitment

from . import blocks, client
from .models import SlackWorkspace

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def workspace_of(organisation_id: int | None) -> SlackWorkspace | None:
    if organisation_id is None:
        return None
    return SlackWorkspace.objects.filter(organisation_id=organisation_id).first()


def _workspace_for(link: chat.ChatLink) -> SlackWorkspace:
    workspace = workspace_of(link.person.organisation_id)
    if workspace is None or not workspace.is_usable:
        raise ChatUnreachable("not_connected")
    if workspace.team_id != link.external_team_id:
        raise ChatUnreachable("not_linked")  # linked in a workspace no longer connected
    return workspace


def _ref(response_data: object) -> str:
    assert isinstance(response_data, dict)
    return f"{response_data.get('channel', '')}:{response_data.get('ts', '')}"


class SlackPlatform:
    key = "slack"
    label = "Slack"
    ask_for_code: StrOrPromise = gettext_lazy("in Slack: /bridgework link")

    def is_connected(self, organisation: Organisation | None) -> bool:
        if organisation is None:
            return False
        workspace = workspace_of(organisation.pk)
        return workspace is not None and workspace.is_usable

    def find_user(self, organisation: Organisation | None, email: str) -> ExternalUser | None:
        workspace = workspace_of(organisation.pk if organisation else None)
        try:
            response = client.call(
                workspace, "users.lookupByEmail", lambda c: c.users_lookupByEmail(email=email)
            )
        except ChatUnreachable:
            return None
        except SlackApiError:
            return None
        assert workspace is not None
        user = response.get("user") or {}
        return (
            ExternalUser(team_id=workspace.team_id, user_id=str(user.get("id", "")))
            if user
            else None
        )

    def _post(self, link: chat.ChatLink, text: str, message_blocks: list[blocks.Block]) -> str:
        workspace = _workspace_for(link)
        response = client.call(
            workspace,
            "chat.postMessage",
            lambda c: c.chat_postMessage(
                channel=link.external_user_id, text=text, blocks=message_blocks
            ),
        )
        return _ref(response.data)

    def send_commitment_reminder(
        self, link: chat.ChatLink, commitment: Commitment, period: date
    ) -> str | None:
        with translation.override(link.person.preferred_language):
            label = chat.commitment_label(commitment)
            words = chat.period_words(commitment)
            text = _("Time for a quick check-in, %(period)s.") % {"period": words}
            message_blocks = blocks.commitment_reminder(commitment.pk, label, period, words)
        return self._post(link, text, message_blocks)

    def update_commitment_reminder(self, link: chat.ChatLink, message_ref: str, text: str) -> None:
        channel, _sep, ts = message_ref.partition(":")
        workspace = _workspace_for(link)
        with translation.override(link.person.preferred_language):
            message_blocks = blocks.checked_in(text)
        client.call(
            workspace,
            "chat.update",
            lambda c: c.chat_update(channel=channel, ts=ts, text=text, blocks=message_blocks),
        )

    def send_session_reminder(self, link: chat.ChatLink, session: Session) -> str | None:
        with translation.override(link.person.preferred_language):
            text = _("Coming up: %(cohort)s") % {"cohort": session.cohort.name}
            # No pulse offered whose answer would be refused whatever happens at the session:
            # to whoever reads its results, or in a month of feedback already full.
            reads = cohorts.reads_pulse_results(session, link.person)
            full = cohorts.month_of_feedback_full(session=session, person=link.person)
            offer_pulse = not reads and not full
            message_blocks = blocks.session_reminder(session, offer_pulse=offer_pulse)
        return self._post(link, text, message_blocks)

    def send_link_confirmation(self, link: chat.ChatLink, code: str) -> None:
        with translation.override(link.person.preferred_language):
            text = _("Your Bridgework code is %(code)s") % {"code": code}
            message_blocks = blocks.link_code(code)
        self._post(link, text, message_blocks)

    def post_to_channel(
        self, organisation: Organisation, channel_id: str, *, title: str, url: str
    ) -> str:
        """A published ask in the space's channel: its title as a link, nothing more."""
        workspace = workspace_of(organisation.pk)
        if workspace is None or not workspace.is_usable:
            raise ChatUnreachable("not_connected")
        safe = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        response = client.call(
            workspace,
            "chat.postMessage",
            lambda c: c.chat_postMessage(
                channel=channel_id,
                text=_("A new ask for allies: <%(url)s|%(title)s>") % {"url": url, "title": safe},
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return _ref(response.data)
