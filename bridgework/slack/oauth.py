""" "Add to Slack" (OAuth v2) with slack-sdk: the authorize address, a state bound to the
admin's session, and an installation store that keeps installations in our database (one
workspace per organisation, its bot token sealed)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing
from django.http import HttpRequest
from django.urls import reverse
from slack_sdk.oauth import AuthorizeUrlGenerator
from slack_sdk.oauth.installation_store import Bot, Installation, InstallationStore

from bridgework.accounts.models import Organisation, Person

from . import client, services
from .models import SlackWorkspace

STATE_SALT = "bridgework.slack.oauth-state"
STATE_SECONDS = 600


def configured() -> bool:
    return bool(settings.SLACK_CLIENT_ID and settings.SLACK_CLIENT_SECRET)


def authorize_origin() -> str:
    parts = urlsplit(settings.SLACK_AUTHORIZE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def redirect_uri() -> str:
    return settings.BASE_URL + reverse("slack_oauth_callback")


def authorize_url(request: HttpRequest, person: Person) -> str:
    # The state names the admin and their session, so a callback started by someone else
    # (a link sent to the admin) installs nothing.
    state = signing.dumps({"p": person.pk, "s": request.session.session_key or ""}, salt=STATE_SALT)
    generator = AuthorizeUrlGenerator(
        client_id=settings.SLACK_CLIENT_ID,
        redirect_uri=redirect_uri(),
        scopes=services.SCOPES,
        authorization_url=settings.SLACK_AUTHORIZE_URL,
    )
    return generator.generate(state)


def state_is_valid(request: HttpRequest, person: Person, state: str) -> bool:
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_SECONDS)
    except signing.BadSignature:
        return False
    return bool(
        isinstance(data, dict)
        and data.get("p") == person.pk
        and data.get("s") == (request.session.session_key or "")
    )


class OrganisationInstallationStore(InstallationStore):
    """slack-sdk's installation store, over our SlackWorkspace rows for one organisation."""

    def __init__(self, organisation: Organisation, actor: Person | None = None) -> None:
        self.organisation = organisation
        self.actor = actor

    def save(self, installation: Installation) -> None:
        services.save_installation(
            organisation=self.organisation, actor=self.actor, installation=installation
        )

    def find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        workspace = self._workspace(team_id)
        if workspace is None:
            return None
        return Installation(
            app_id=workspace.app_id,
            team_id=workspace.team_id,
            team_name=workspace.team_name,
            bot_token=workspace.bot_token(),
            bot_user_id=workspace.bot_user_id,
            user_id="",
            installed_at=workspace.installed_at.timestamp(),
        )

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        workspace = self._workspace(team_id)
        token = workspace.bot_token() if workspace else None
        if workspace is None or token is None:
            return None
        return Bot(
            app_id=workspace.app_id,
            team_id=workspace.team_id,
            team_name=workspace.team_name,
            bot_token=token,
            bot_id="",
            bot_user_id=workspace.bot_user_id,
            installed_at=workspace.installed_at.timestamp(),
        )

    def _workspace(self, team_id: str | None) -> SlackWorkspace | None:
        return (
            SlackWorkspace.objects.filter(organisation=self.organisation, team_id=team_id)
            .filter(revoked_at__isnull=True)
            .first()
        )


def finish(*, organisation: Organisation, actor: Person, code: str) -> SlackWorkspace:
    """Trade the code for a bot token (oauth.v2.access) and keep the installation."""
    answer: Any = client.web_client().oauth_v2_access(
        client_id=settings.SLACK_CLIENT_ID,
        client_secret=settings.SLACK_CLIENT_SECRET,
        code=code,
        redirect_uri=redirect_uri(),
    )
    team = answer.get("team") or {}
    installation = Installation(
        app_id=answer.get("app_id"),
        team_id=team.get("id"),
        team_name=team.get("name"),
        bot_token=answer.get("access_token"),
        bot_user_id=answer.get("bot_user_id"),
        bot_scopes=answer.get("scope") or "",
        user_id=(answer.get("authed_user") or {}).get("id") or "",
        token_type=answer.get("token_type"),
    )
    OrganisationInstallationStore(organisation, actor).save(installation)
    return SlackWorkspace.objects.get(organisation=organisation)
