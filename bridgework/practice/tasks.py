"""Background tasks of the practice loop (run by `bridgework worker`)."""

from __future__ import annotations

from datetime import date

from django.tasks import task


@task(queue_name="reminders")
def plan_reminders() -> int:
    from . import reminders

    return reminders.plan()


@task(queue_name="reminders")
def deliver_reminder(commitment_id: int, period: str) -> bool:
    from . import reminders

    return reminders.deliver(commitment_id, date.fromisoformat(period))
