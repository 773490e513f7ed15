"""Who is reachable where, where each person wants reminders, and what was sent.

Nothing here holds message text: a delivery row is an id, a period, a status and the
platform's reference to the message, so a button press can update it in place.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bridgework.accounts.models import Person
from bridgework.community.api import Space

CODE_LIFETIME = timedelta(minutes=15)


class Platform(models.TextChoices):
    SLACK = "slack", pgettext_lazy("product name", "Slack")
    TEAMS = "teams", pgettext_lazy("product name", "Microsoft Teams")


class Destination(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SLACK = "slack", pgettext_lazy("product name", "Slack")
    TEAMS = "teams", pgettext_lazy("product name", "Microsoft Teams")


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


class ChatLinkQuerySet(models.QuerySet["ChatLink"]):
    def confirmed(self) -> ChatLinkQuerySet:
        return self.filter(confirmed_at__isnull=False)


class ChatLink(models.Model):
    """A person's account on one chat platform. Only a confirmed link is ever used: the
    person entered on their Profile a one-time code shown to that chat account."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="chat_links")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    external_team_id = models.CharField(max_length=100)
    external_user_id = models.CharField(max_length=100)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ChatLinkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "platform"], name="one_chat_link_per_platform"
            ),
            models.UniqueConstraint(
                fields=["platform", "external_team_id", "external_user_id"],
                condition=Q(confirmed_at__isnull=False),
                name="one_person_per_chat_account",
            ),
        ]

    def __str__(self) -> str:
        return f"Chat link {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class ChatLinkCode(models.Model):
    """A code shown in chat to someone not linked yet; whoever enters it on their Profile
    (signed in) links that chat account to themselves. It names no person until then."""

    platform = models.CharField(max_length=10, choices=Platform.choices)
    external_team_id = models.CharField(max_length=100)
    external_user_id = models.CharField(max_length=100)
    code_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Chat link code {self.pk}"


class ReminderDestination(models.Model):
    """Where a person's reminders go. No row means e-mail."""

    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="reminder_destination"
    )
    destination = models.CharField(
        max_length=10, choices=Destination.choices, default=Destination.EMAIL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reminder destination {self.pk}"


class ChatDelivery(models.Model):
    """One reminder to one person in chat: the unique constraint makes it at most one per
    (person, kind, object, period), however many workers run and however often a platform
    retries."""

    class Kind(models.TextChoices):
        COMMITMENT = "commitment", _("Commitment reminder")
        SESSION = "session", _("Session reminder")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FELL_BACK = "fell_back", _("Sent by e-mail instead")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="chat_deliveries")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    period = models.CharField(max_length=10, blank=True)  # ISO date; empty for sessions
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    message_ref = models.CharField(max_length=200, blank=True)
    # The check-in the sent message shows in place of its buttons; empty while it has them.
    shows = models.CharField(max_length=10, blank=True)
    problem = models.CharField(max_length=40, blank=True)  # a reason code, never text
    attempts = models.PositiveSmallIntegerField(default=0)
    not_before = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "object_id", "period"], name="one_chat_delivery"
            )
        ]
        indexes = [models.Index(fields=["status", "not_before"])]

    def __str__(self) -> str:
        return f"Chat delivery {self.pk}"


class SpaceChannel(models.Model):
    """The one channel on a chat platform where an allies' space's published asks are
    announced, chosen by a facilitator of the space. Never a protected space's."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    platform = models.CharField(max_length=10, choices=Platform.choices)
    channel_id = models.CharField(max_length=40)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["space", "platform"], name="one_channel_per_space")
        ]

    def __str__(self) -> str:
        return f"Channel {self.pk}"


class ChannelPost(models.Model):
    """One announcement in a channel. The row is claimed before the platform is called, so a
    retried task or a second worker never posts the same announcement twice."""

    class Status(models.TextChoices):
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Not sent")

    channel = models.ForeignKey(SpaceChannel, on_delete=models.CASCADE, related_name="posts")
    key = models.CharField(max_length=40)  # what was announced, e.g. "ask:12"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    message_ref = models.CharField(max_length=200, blank=True)
    problem = models.CharField(max_length=40, blank=True)  # a reason code, never text
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["channel", "key"], name="one_post_per_channel")
        ]

    def __str__(self) -> str:
        return f"Channel post {self.pk}"
