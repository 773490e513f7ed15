from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection

from bridgework.operations.health import free_disk_mb
from bridgework.operations.keys import check_master_keys
from bridgework.operations.status import ago, current_status


class Command(BaseCommand):
    help = "How the site is doing: queue, stuck tasks, workers, releases, backups, keys, disk."
    # Status must report a key problem, not refuse to start because of it.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            status = current_status()
        except DatabaseError:
            raise CommandError(
                "The database has no Bridgework tables yet; run `bridgework manage migrate`."
            ) from None
        now = status.now
        write = self.stdout.write
        write(f"Database: {connection.vendor}, answering")
        write(f"Key file: {check_master_keys() or 'opens the data keys in the database'}")
        write(
            f"Data directory: {settings.DATA_DIR} ({free_disk_mb(Path(settings.DATA_DIR))} MB free)"
        )
        waiting = sum(task.waiting for task in status.queue)
        write(f"Queue: {waiting} tasks waiting")
        for task in status.queue:
            write(
                f"  {task.waiting:>6}  {task.task_path} "
                f"(oldest queued {ago(task.oldest_enqueued_at, now)})"
            )
        write(f"Stuck tasks (their worker has gone quiet): {len(status.stuck)}")
        for stuck in status.stuck:
            write(f"  {stuck.task_path} (started {ago(stuck.started_at, now)})")
        write("Last seen:")
        for beat in status.heartbeats:
            write(f"  {beat.name}: {ago(beat.seen_at, now)}")
        if not status.heartbeats:
            write("  no worker or health check has reported yet")
        write(f"Insights last released: {ago(status.last_release, now)}")
        backup = status.last_backup
        if backup is None:
            write("Last backup: never (run `bridgework backup`)")
        else:
            write(
                f"Last backup: {ago(backup.made_at, now)}, {backup.path} "
                f"({backup.size_bytes} bytes)"
            )
