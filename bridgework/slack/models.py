"""One Slack workspace per organisation: its bot token and signing secret, sealed with the
data directory's master key, and whether Slack still lets us in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Organisation, Person
from bridgework.sso import sealing


class SlackWorkspace(models.Model):
    class Via(models.TextChoices):
        PASTED = "pasted", _("A bot token pasted in")
        OAUTH = "oauth", _("Add to Slack")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="slack_workspace"
    )
    team_id = models.CharField(max_length=32, unique=True)
    team_name = models.CharField(max_length=200, blank=True)
    app_id = models.CharField(max_length=32, blank=True)
    bot_user_id = models.CharField(max_length=32, blank=True)
    via = models.CharField(max_length=10, choices=Via.choices)
    bot_token_sealed = models.BinaryField(default=b"", editable=False)
    bot_token_key_id = models.CharField(max_length=16, blank=True, editable=False)
    # Pasted in with the bot token; an OAuth install uses the operator's app and its secret.
    signing_secret_sealed = models.BinaryField(default=b"", editable=False)
    signing_secret_key_id = models.CharField(max_length=16, blank=True, editable=False)
    installed_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    installed_at = models.DateTimeField(default=timezone.now)
    # Set when Slack says the app was uninstalled or its token revoked: nothing is sent after.
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return f"Slack workspace {self.pk}"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and bool(self.bot_token_sealed)

    def _purpose(self, what: str) -> str:
        return f"slack-{what}:{self.organisation_id}"

    def set_bot_token(self, token: str) -> None:
        self.bot_token_key_id, self.bot_token_sealed = sealing.seal(
            token, purpose=self._purpose("bot-token")
        )

    def bot_token(self) -> str | None:
        return sealing.unseal(
            self.bot_token_sealed, key_id=self.bot_token_key_id, purpose=self._purpose("bot-token")
        )

    def set_signing_secret(self, secret: str) -> None:
        self.signing_secret_key_id, self.signing_secret_sealed = sealing.seal(
            secret, purpose=self._purpose("signing-secret")
        )

    def signing_secret(self) -> str | None:
        if self.via == self.Via.OAUTH:
            return settings.SLACK_SIGNING_SECRET or None
        return sealing.unseal(
            self.signing_secret_sealed,
            key_id=self.signing_secret_key_id,
            purpose=self._purpose("signing-secret"),
        )


class SlackEvent(models.Model):
    """Event ids already handled: Slack retries an event it thinks we missed
    (X-Slack-Retry-Num), and the retry must do nothing twice."""

    event_id = models.CharField(max_length=64, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Slack event {self.pk}"


def reseal_slack_secrets() -> int:
    """Re-seal every workspace's token and secret under the newest master key."""
    newest = sealing.newest_key_id()
    count = 0
    for workspace in SlackWorkspace.objects.exclude(bot_token_key_id=newest).order_by("pk"):
        token = workspace.bot_token()
        if token is not None:
            workspace.set_bot_token(token)
        if workspace.via == SlackWorkspace.Via.PASTED:
            secret = workspace.signing_secret()
            if secret is not None:
                workspace.set_signing_secret(secret)
        workspace.save()
        count += 1
    return count
