"""Questions about the task queue that planners ask before queueing more."""

from __future__ import annotations

from typing import Any

from django.tasks import Task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult


def waiting_arguments(task: Task[Any, Any]) -> set[tuple[Any, ...]]:
    """The positional arguments of every queued or running copy of `task`.

    A planner skips what is already waiting, so a slow worker does not collect a second
    copy of the same delivery each time the planner runs.
    """
    if not isinstance(task_backends[task.backend], DatabaseBackend):
        return set()  # run at once (tests): nothing ever waits
    rows = DBTaskResult.objects.filter(
        task_path=task.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
    ).values_list("args_kwargs", flat=True)
    return {tuple(row["args"]) for row in rows}
