"""Background tasks of the cohorts app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="reminders")
def plan_session_reminders() -> int:
    from . import reminders

    return reminders.plan()


@task(queue_name="reminders")
def deliver_session_reminder(session_id: int, person_id: int) -> bool:
    from . import reminders

    return reminders.deliver(session_id, person_id)
