"""The periodic schedule: each task queued once per time slot, however many workers run.

Every worker runs the schedule. A slot is a task's period counted from the Unix epoch (for
the hourly insights release, the hour); the first worker to insert the (task, slot) row queues
the task in the same transaction, and every other worker, or a restarted one, finds the row
and queues nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ScheduledRun

KEEP_CLAIMS = timedelta(days=8)


def slot_of(moment: datetime, every: int) -> int:
    return int(moment.timestamp()) // every


def queue_due(now: datetime | None = None) -> list[str]:
    """Queue every periodic task whose current slot nobody has claimed; returns their paths."""
    now = now or timezone.now()
    queued: list[str] = []
    for path, every in settings.PERIODIC_TASKS:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(task_path=path, slot=slot_of(now, every), queued_at=now)
                import_string(path).enqueue()
        except IntegrityError:
            continue
        queued.append(path)
    ScheduledRun.objects.filter(queued_at__lt=now - KEEP_CLAIMS).delete()
    return queued
