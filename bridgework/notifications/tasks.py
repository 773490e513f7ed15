"""Background work of the notifications app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task

from bridgework.accounts.models import Person

from . import digest
from .models import Notification
from .spaces import rules


@task(queue_name="default")
def deliver(
    *,
    person_ids: list[int],
    kind: str,
    summary: str,
    url: str,
    space_id: int | None,
    thread_id: int | None,
) -> int:
    """Makes one batch of notifications: one query picks who may be told, a bulk insert
    tells them. Returns how many were made."""
    people = Person.objects.filter(pk__in=person_ids, is_active=True)
    if space_id is not None:
        # Checked now, after the commit, against the audience as it is now.
        people = people.filter(rules().audience(space_id, thread_id))
    made = Notification.objects.bulk_create(
        Notification(person_id=person_id, kind=kind, summary=summary, url=url, space_id=space_id)
        for person_id in people.values_list("pk", flat=True)
    )
    return len(made)


@task(queue_name="default")
def send_digests() -> int:
    """Every person whose digest is due gets one; safe to run from several workers."""
    return digest.send_due()
