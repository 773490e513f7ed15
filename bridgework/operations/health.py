"""What /healthz and `bridgework status` report: can this site do its work right now?"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .heartbeat import WORKER, last_seen, record_heartbeat

WEB = "healthz"

# /healthz answers anyone, and each check writes to the database: a flood of probes would be
# a flood of writes. A process checks at most once a second and gives that answer meanwhile;
# load balancers probe every few seconds, so each of their probes still gets a fresh check.
PROBE_SECONDS = 1.0


@dataclass(frozen=True)
class Health:
    database: bool
    database_write: bool | None  # None: not tried, the database did not answer
    disk_free_mb: int
    worker_last_seen: datetime | None
    oldest_queued_at: datetime | None
    now: datetime

    @property
    def disk_ok(self) -> bool:
        return self.disk_free_mb >= settings.HEALTH_MIN_FREE_DISK_MB

    @property
    def worker_seconds(self) -> int | None:
        return _seconds_since(self.worker_last_seen, self.now)

    @property
    def worker_ok(self) -> bool:
        seconds = self.worker_seconds
        return seconds is not None and seconds <= settings.HEALTH_WORKER_SILENT_SECONDS

    @property
    def ok(self) -> bool:
        return (
            self.database
            and bool(self.database_write)
            and self.disk_ok
            and (self.worker_ok or not settings.HEALTH_REQUIRE_WORKER)
        )

    def as_json(self) -> dict[str, object]:
        return {
            "status": "ok" if self.ok else "error",
            "database": "ok" if self.database else "unreachable",
            "database_write": {True: "ok", False: "failed", None: "not tried"}[self.database_write],
            "disk": "ok" if self.disk_ok else "low",
            "disk_free_mb": self.disk_free_mb,
            "worker": "ok" if self.worker_ok else "silent",
            "worker_last_seen_seconds": self.worker_seconds,
            "oldest_queued_task_seconds": _seconds_since(self.oldest_queued_at, self.now),
        }


def _seconds_since(moment: datetime | None, now: datetime) -> int | None:
    return None if moment is None else max(0, int((now - moment).total_seconds()))


def free_disk_mb(path: Path) -> int:
    return shutil.disk_usage(path).free // (1024 * 1024)


def oldest_queued_at() -> datetime | None:
    """When the task that has waited longest for a worker was queued."""
    return (
        DBTaskResult.objects.ready()
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)
        .first()
    )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return False
    return True


def _database_accepts_a_write() -> bool:
    # A real committed write: a full disk or a read-only replica fails here, not on SELECT 1.
    try:
        with transaction.atomic():
            record_heartbeat(WEB)
    except DatabaseError:
        return False
    return True


def check_health() -> Health:
    now = timezone.now()
    disk = free_disk_mb(Path(settings.DATA_DIR))
    # The write answers for the database too; only when it fails is it worth asking whether
    # the database answers at all (down, rather than full or read-only).
    write = _database_accepts_a_write()
    if not write and not _database_answers():
        return Health(False, None, disk, None, None, now)
    try:
        worker = last_seen(WORKER)
        oldest = oldest_queued_at()
    except DatabaseError:
        worker, oldest = None, None
    return Health(True, write, disk, worker, oldest, now)


class _LastProbe:
    at: float | None = None
    report: Health | None = None


_last_probe = _LastProbe()


def probe_health(clock: Callable[[], float] = time.monotonic) -> Health:
    """`check_health()` for /healthz: at most once per PROBE_SECONDS in this process."""
    now = clock()
    last = _last_probe
    if last.report is None or last.at is None or now - last.at >= PROBE_SECONDS:
        last.at, last.report = now, check_health()
    return last.report


def forget_last_probe() -> None:
    _last_probe.at, _last_probe.report = None, None
