from __future__ import annotations

from django.tasks import task

from .heartbeat import record_heartbeat


@task(queue_name="default")
def worker_heartbeat() -> None:
    """Queued every minute; running it shows a worker is taking tasks from the queue."""
    record_heartbeat()
