"""What `bridgework status` reports: the queue, stuck tasks, workers, releases and backups."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Min
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bridgework.insights.api import Release
from bridgework.jobs.leases import silent_workers_tasks

from .models import BackupRecord, Heartbeat


@dataclass(frozen=True)
class QueuedTask:
    task_path: str
    waiting: int
    oldest_enqueued_at: datetime


@dataclass(frozen=True)
class StuckTask:
    task_path: str
    started_at: datetime | None


@dataclass(frozen=True)
class Status:
    now: datetime
    queue: list[QueuedTask]
    stuck: list[StuckTask]
    heartbeats: list[Heartbeat]
    last_release: datetime | None
    last_backup: BackupRecord | None


def current_status() -> Status:
    now = timezone.now()
    queue = [
        QueuedTask(row["task_path"], row["waiting"], row["oldest"])
        for row in DBTaskResult.objects.ready()
        .order_by()
        .values("task_path")
        .annotate(waiting=Count("pk"), oldest=Min("enqueued_at"))
        .order_by("oldest")
    ]
    stuck = [StuckTask(task.task_path, task.started_at) for task in silent_workers_tasks()]
    return Status(
        now=now,
        queue=queue,
        stuck=stuck,
        heartbeats=list(Heartbeat.objects.order_by("name")),
        last_release=Release.objects.aggregate(last=Max("created_at"))["last"],
        last_backup=BackupRecord.objects.order_by("-made_at").first(),
    )


def ago(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = max(0, int((now - moment).total_seconds()))
    if seconds < 120:
        amount = f"{seconds} s"
    elif seconds < 7200:
        amount = f"{seconds // 60} min"
    elif seconds < 172800:
        amount = f"{seconds // 3600} h"
    else:
        amount = f"{seconds // 86400} days"
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({amount} ago)"
