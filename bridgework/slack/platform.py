"""Slack as a chat platform for bridgework.chat (registered in SlackConfig.ready)."""

from __future__ import annotations

from datetime import date

from slack_sdk.errors import SlackApiError

from bridgework.accounts.models import Organisation
from bridgework.chat import api as chat
from bridgework.chat.platforms import ChatUnreachable, ExternalUser
from bridgework.cohorts.api import Session
from bridgework.practice.api import Commitment

from . import blocks, client
from .models import SlackWorkspace


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
    ask_for_code = "in Slack: /bridgework link"

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
        label = chat.commitment_label(commitment)
        words = chat.period_words(commitment)
        return self._post(
            link,
            f"Time for a quick check-in, {words}.",
            blocks.commitment_reminder(commitment.pk, label, period, words),
        )

    def update_commitment_reminder(self, link: chat.ChatLink, message_ref: str, text: str) -> None:
        channel, _, ts = message_ref.partition(":")
        workspace = _workspace_for(link)
        client.call(
            workspace,
            "chat.update",
            lambda c: c.chat_update(
                channel=channel, ts=ts, text=text, blocks=blocks.checked_in(text)
            ),
        )

    def send_session_reminder(self, link: chat.ChatLink, session: Session) -> str | None:
        return self._post(
            link, f"Coming up: {session.cohort.name}", blocks.session_reminder(session)
        )

    def send_link_confirmation(self, link: chat.ChatLink, code: str) -> None:
        self._post(link, f"Your Bridgework code is {code}", blocks.link_code(code))

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
                text=f"A new ask for allies: <{url}|{safe}>",
                unfurl_links=False,
                unfurl_media=False,
            ),
        )
        return _ref(response.data)
