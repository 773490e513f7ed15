"""Background tasks for accounts (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def deliver_invitation(invitation_id: int) -> bool:
    """E-mail a pending invitation; returns False when it was withdrawn or used meanwhile."""
    from .models import Invitation
    from .services import send_invitation

    invitation = (
        Invitation.objects.pending()
        .select_related("organisation", "invited_by")
        .filter(pk=invitation_id)
        .first()
    )
    if invitation is None:
        return False
    send_invitation(invitation, invitation.issue_token())
    return True
