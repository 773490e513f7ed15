"""An organisation's Microsoft Teams bot and the conversations Teams opened with it.

The bot's client secret is sealed with the master key like an identity provider's. A
conversation reference is what Teams tells us when someone installs the bot: where to send
them a message later. It holds Teams' ids only, never a name or message text.
"""

from __future__ import annotations

import hashlib
from datetime import UTC

from django.db import models
from django.utils import timezone

from bridgework.accounts.models import Organisation
from bridgework.sso import sealing


class TeamsBotQuerySet(models.QuerySet["TeamsBot"]):
    def connected(self) -> TeamsBotQuerySet:
        return self.exclude(secret_sealed=b"").filter(disconnected_at__isnull=True)


class TeamsBot(models.Model):
    """The bot registered for one organisation in Azure (its app id, tenant and secret)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="teams_bot"
    )
    app_id = models.CharField(
        "bot app ID",
        max_length=64,
        unique=True,
        help_text="The Microsoft App ID of the bot registration, such as "
        "00000000-0000-0000-0000-000000000000.",
    )
    tenant_id = models.CharField(
        "tenant ID",
        max_length=64,
        help_text="Your Microsoft Entra tenant (directory) ID. Messages from other tenants "
        "are refused.",
    )
    secret_sealed = models.BinaryField(default=b"", editable=False)
    secret_key_id = models.CharField(max_length=16, blank=True, editable=False)
    connected_at = models.DateTimeField(null=True, blank=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    # When Microsoft last refused the bot's credentials: the settings page says so.
    credentials_refused_at = models.DateTimeField(null=True, blank=True)
    last_heard_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = TeamsBotQuerySet.as_manager()

    def __str__(self) -> str:
        return f"Teams bot for {self.organisation}"

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_sealed)

    @property
    def is_connected(self) -> bool:
        return self.has_secret and self.disconnected_at is None

    @property
    def heard_this_week(self) -> bool:
        """Whether Teams wrote to the bot on one of the last seven days, counted in UTC. The
        settings page says no more than that: with one person using the bot, the minute would
        be theirs (and a switch seven days to the minute after it would give that minute
        away, so it turns over at midnight). Never the organisation's calendar: a program
        admin can move its zone, and so its midnight, through the day, and reading the page
        in zone after zone would tell the hour Teams last wrote."""
        if self.last_heard_at is None:
            return False
        heard_on = self.last_heard_at.astimezone(UTC).date()
        return (timezone.now().astimezone(UTC).date() - heard_on).days < 7

    def _secret_purpose(self) -> str:
        return f"teams-secret:{self.organisation_id}"

    def set_secret(self, secret: str) -> None:
        self.secret_key_id, self.secret_sealed = sealing.seal(
            secret, purpose=self._secret_purpose()
        )

    def secret(self) -> str | None:
        return sealing.unseal(
            self.secret_sealed, key_id=self.secret_key_id, purpose=self._secret_purpose()
        )

    def forget_secret(self) -> None:
        self.secret_sealed, self.secret_key_id = b"", ""


class Conversation(models.Model):
    """Where to reach one Teams user in a personal chat with the bot.

    Teams sends it when the user installs the bot (or first writes to it); uninstalling
    marks it removed and nothing is sent there again until they install it anew."""

    bot = models.ForeignKey(TeamsBot, on_delete=models.CASCADE, related_name="conversations")
    # The user's Entra object id: the same in every conversation, and what a chat link names.
    aad_object_id = models.CharField(max_length=64)
    user_id = models.CharField(max_length=200)
    # A digest of the e-mail address Teams gave for the user, so "Link Microsoft Teams" on
    # the Profile can find them (and send them a code) without us keeping the address.
    email_digest = models.CharField(max_length=64, blank=True)
    conversation_id = models.CharField(max_length=400)
    service_url = models.URLField(max_length=300)
    installed = models.BooleanField(default=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["bot", "aad_object_id"], name="teams_conversation_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Teams conversation {self.pk}"


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest() if email.strip() else ""


def reseal_secrets() -> int:
    """Re-seal every bot's client secret under the newest master key (rotate-keys)."""
    newest_id = sealing.newest_key_id()
    count = 0
    stale = TeamsBot.objects.exclude(secret_sealed=b"").exclude(secret_key_id=newest_id)
    for bot in stale.order_by("pk"):
        secret = bot.secret()
        if secret is None:
            continue
        bot.set_secret(secret)
        bot.save(update_fields=["secret_sealed", "secret_key_id"])
        count += 1
    return count
