"""`bridgework worker`'s loop: django-tasks-db's worker with leases, an outbox and patience.

What differs from `db_worker`:
- a heartbeat thread keeps this worker's leases alive; tasks of dead workers are put back;
- between tasks it sends what waits in the e-mail outbox;
- a database error never ends the process: the worker waits (longer each time, up to a
  minute) and carries on, and a task cut short by the error is queued again.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connections,
)
from django_tasks_db.compat import TaskContext
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from . import leases, outbox, schedule

logger = logging.getLogger(__name__)

MAX_PAUSE = 60.0
SCHEDULE_EVERY = 5.0


class Backoff:
    """Pauses that double after each failure, up to a ceiling, and start over on success."""

    def __init__(self, first: float = 0.5, ceiling: float = MAX_PAUSE) -> None:
        self.first, self.ceiling, self.current = first, ceiling, first

    def next(self) -> float:
        pause, self.current = self.current, min(self.current * 2, self.ceiling)
        return pause

    def reset(self) -> None:
        self.current = self.first


def _is_locked(error: DatabaseError) -> bool:
    return "locked" in str(error).lower()


def _log_database_error(name: str, error: DatabaseError, pause: float) -> None:
    # A lock is another writer at work (SQLite has one write lock: a big import, a demo
    # reset): worth a quiet line. Anything else may need an operator.
    if _is_locked(error):
        logger.info(
            "%s: the database is busy with another writer; trying again in %.1f s", name, pause
        )
    else:
        logger.warning(
            "%s: database error (%s); trying again in %.1f s", name, type(error).__name__, pause
        )


def _drop_connections() -> None:
    """After a database error the connection may be dead: open a new one next time."""
    for connection in connections.all(initialized_only=True):
        with contextlib.suppress(DatabaseError):
            connection.close()


def patiently(name: str, step: Callable[[], object], stop: threading.Event, every: float) -> None:
    """Run `step` every `every` seconds until `stop`, riding out database errors."""
    backoff = Backoff()
    while not stop.is_set():
        try:
            step()
        except DatabaseError as error:
            pause = backoff.next()
            _log_database_error(name, error, pause)
            _drop_connections()
            stop.wait(pause)
            continue
        finally:
            close_old_connections()
        backoff.reset()
        stop.wait(every)


class LeasedWorker(Worker):
    def __init__(self, *, schedule_periodic: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.schedule_periodic = schedule_periodic
        self.stop = threading.Event()

    def run(self) -> None:
        logger.info("worker %s starting", self.worker_id)
        threading.Thread(
            target=patiently,
            args=("heartbeat", lambda: leases.beat(self.worker_id), self.stop, self.beat_every),
            daemon=True,
            name="heartbeat",
        ).start()
        if self.schedule_periodic:
            threading.Thread(
                target=patiently,
                args=("schedule", schedule.queue_due, self.stop, SCHEDULE_EVERY),
                daemon=True,
                name="schedule",
            ).start()
        backoff = Backoff()
        try:
            while self.running:
                try:
                    busy = self.step()
                except DatabaseError as error:
                    pause = backoff.next()
                    _log_database_error("worker", error, pause)
                    _drop_connections()
                    time.sleep(pause)
                    continue
                backoff.reset()
                if self.batch and not busy:
                    return
                if self.running and not busy:
                    time.sleep(self.interval)
        finally:
            self.stop.set()
            with contextlib.suppress(DatabaseError):
                leases.forget(self.worker_id)

    @property
    def beat_every(self) -> float:
        return max(settings.TASK_LEASE_SECONDS / 4, 0.2)

    def step(self) -> bool:
        """Put back dead workers' tasks, run one task, send waiting e-mail. True if busy."""
        close_old_connections()
        leases.beat(self.worker_id)
        leases.release_expired(idle_worker=self.worker_id)
        task = self.claim()
        if task is not None:
            self.run_task(task)
        # Marked busy like a task, so a SIGTERM lets the e-mail being sent be marked sent.
        self.running_task = True
        try:
            sent = outbox.send_due()
        finally:
            self.running_task = False
        close_old_connections()
        return task is not None or sent > 0

    def claim(self) -> DBTaskResult[..., Any] | None:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        with exclusive_transaction(tasks.db):
            task = tasks.get_locked()
            if task is not None:
                task.claim(self.worker_id)
        return task

    def run_task(self, db_task_result: DBTaskResult[..., Any]) -> None:
        self.running_task = True
        try:
            task, result = db_task_result.task, db_task_result.task_result
            if task.takes_context:
                value = task.call(TaskContext(task_result=result), *result.args, **result.kwargs)
            else:
                value = task.call(*result.args, **result.kwargs)
        except (OperationalError, InterfaceError):
            # The database went away mid-task: the task stays RUNNING in this worker's name
            # and `release_expired` puts it back once the database answers again.
            raise
        except Exception as error:
            logger.exception("task %s failed", db_task_result.pk)
            db_task_result.set_failed(error)
        else:
            db_task_result.set_successful(value)
        finally:
            self.running_task = False
            self._run_tasks += 1
