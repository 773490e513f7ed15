from __future__ import annotations

from django.db import models
from django.utils import timezone


class Heartbeat(models.Model):
    """The last time a process showed it was alive: a worker running a task, /healthz writing.

    One row per kind of process and host (`worker@host`), updated in place.
    """

    name = models.CharField(max_length=200, unique=True)
    seen_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.name} at {self.seen_at:%Y-%m-%d %H:%M:%S}"


class BackupRecord(models.Model):
    """A backup `bridgework backup` wrote, so `bridgework status` can say when the last was."""

    made_at = models.DateTimeField(default=timezone.now)
    path = models.TextField()
    size_bytes = models.BigIntegerField()
    vendor = models.CharField(max_length=20)

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"Backup {self.path}"
