"""The tables that make background work safe to kill: heartbeats, outbox, schedule claims."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class WorkerHeartbeat(models.Model):
    """A running worker says it is alive; the tasks it holds are leased until it goes quiet."""

    worker_id = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Worker {self.worker_id}"


class OutgoingEmailQuerySet(models.QuerySet["OutgoingEmail"]):
    def unsent(self) -> OutgoingEmailQuerySet:
        return self.filter(sent_at__isnull=True)

    def claimable(self, now: object) -> OutgoingEmailQuerySet:
        """Unsent, and nobody holds it: never tried, or the last try's lease ran out."""
        return self.unsent().filter(
            models.Q(lease_until__isnull=True) | models.Q(lease_until__lt=now)
        )


class OutgoingEmail(models.Model):
    """One e-mail to send, written in the same transaction as the decision to send it.

    `key` names what the e-mail is for (a reminder, an invitation send, a digest), so the
    same decision can never queue two e-mails. The body is encrypted while it waits and
    erased once the mail server has accepted it. Every try uses the same Message-ID, so a
    retry after a crash at the wrong moment is recognised by mail systems as the same e-mail.
    """

    key = models.CharField(max_length=200, unique=True)
    message_id = models.CharField(max_length=255, unique=True)
    recipient = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = OutgoingEmailQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["sent_at", "lease_until"])]

    def __str__(self) -> str:
        return f"E-mail {self.key}"


class ScheduledRun(models.Model):
    """A periodic task claimed for one time slot: several workers and restarts queue it once."""

    task_path = models.CharField(max_length=200)
    slot = models.BigIntegerField()
    queued_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task_path", "slot"], name="one_run_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.task_path} #{self.slot}"
