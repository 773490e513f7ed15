"""Task leases on top of django-tasks-db.

django-tasks-db marks a claimed task RUNNING and never looks at it again, so a task whose
worker is killed stays RUNNING for good. Here a running task is leased to its worker for as
long as that worker's heartbeat is fresh; once the heartbeat is older than the lease, the
task goes back to READY and another worker (or the same one restarted) runs it again. Every
task is written to be safe to run twice, so the retry finishes the work without repeating
what was already done.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from .models import WorkerHeartbeat

logger = logging.getLogger(__name__)

# A task that has killed its worker this many times is failed rather than tried again.
MAX_ATTEMPTS = 5
FORGET_WORKERS_AFTER = timedelta(days=1)


def lease_length() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def beat(worker_id: str) -> None:
    now = timezone.now()
    updated = WorkerHeartbeat.objects.filter(worker_id=worker_id).update(seen_at=now)
    if not updated:
        # The worker's loop and its heartbeat thread both beat as it starts: the other one
        # may have written the row between our update and this insert.
        with contextlib.suppress(IntegrityError), transaction.atomic():
            WorkerHeartbeat.objects.create(worker_id=worker_id, started_at=now, seen_at=now)


def forget(worker_id: str) -> None:
    """A worker that stops cleanly gives up its heartbeat, so its leases end at once."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def silent_workers_tasks() -> list[DBTaskResult[..., Any]]:
    """Running tasks whose worker's heartbeat is older than the lease: the next worker to look
    puts them back in the queue (`release_expired`)."""
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - lease_length()).values_list(
            "worker_id", flat=True
        )
    )
    return [
        task
        for task in DBTaskResult.objects.running().order_by("started_at")
        if not task.worker_ids or task.worker_ids[-1] not in alive
    ]


def release_expired(*, idle_worker: str | None = None) -> int:
    """Put back every running task whose worker has gone quiet; returns how many.

    `idle_worker` is the calling worker, between tasks: anything still RUNNING in its name
    was interrupted (a database error mid-task) and goes back too.
    """
    now = timezone.now()
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=now - lease_length()).values_list(
            "worker_id", flat=True
        )
    )
    released = 0
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "started_at"):
        holder = task.worker_ids[-1] if task.worker_ids else None
        if holder in alive and holder != idle_worker:
            continue
        still_held = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        if len(task.worker_ids) >= MAX_ATTEMPTS:
            still_held.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="bridgework.jobs.leases.LeaseExpired",
                traceback=f"The task's worker died {len(task.worker_ids)} times; not retried.",
            )
            logger.error("task %s failed after %s lost workers", task.pk, len(task.worker_ids))
        elif still_held.update(status=TaskResultStatus.READY):
            released += 1
            logger.warning("task %s went back to the queue: its worker stopped", task.pk)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - FORGET_WORKERS_AFTER).delete()
    return released
