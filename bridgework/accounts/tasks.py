"""Background tasks for accounts (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import TaskContext, task


@task(queue_name="default", takes_context=True)
def deliver_invitation(context: TaskContext[..., bool], invitation_id: int) -> bool:
    """E-mail a pending invitation; returns False when it was withdrawn or used meanwhile."""
    from .services import queue_invitation

    # One e-mail per queued send, however often a crash makes the worker run this again.
    return queue_invitation(invitation_id, send_key=str(context.task_result.id))


@task(queue_name="default")
def count_people_everywhere() -> None:
    """Queued every minute: each organisation's totals for its program admins' home page."""
    from django.utils import timezone

    from .models import Organisation
    from .people_count import count_people

    for organisation in Organisation.objects.order_by("pk"):
        count_people(organisation, now=timezone.now())
