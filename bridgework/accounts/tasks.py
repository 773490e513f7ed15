"""Background tasks for accounts (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import TaskContext, task


@task(queue_name="default", takes_context=True)
def deliver_invitation(context: TaskContext[..., bool], invitation_id: int) -> bool:
    """E-mail a pending invitation; returns False when it was withdrawn or used meanwhile."""
    from .services import queue_invitation

    # One e-mail per queued send, however often a crash makes the worker run this again.
    return queue_invitation(invitation_id, send_key=str(context.task_result.id))
