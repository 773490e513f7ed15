"""Background work of the community app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task

from .services import polls


@task(queue_name="default")
def announce_closed_polls() -> int:
    """Every few minutes: tell the people who asked and voted that their poll has closed."""
    return polls.announce_closed_polls()
