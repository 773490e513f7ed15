"""Background tasks of the Slack app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task()
def answer(workspace_id: int, user_id: str, response_url: str, what: str, argument: str) -> None:
    """What Bridgework shows in Slack in return for a press or an opened Home tab, sent
    after the request has had its answer (Slack waits three seconds, no more)."""
    from . import incoming

    incoming.answer(workspace_id, user_id, response_url, what, argument)
