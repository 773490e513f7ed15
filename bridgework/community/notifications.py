"""In-app notifications, for this app and the apps built on it (resources, asks).

A notification that belongs to a space is re-checked against the space's audience whenever
it is listed or e-mailed: if the person has left the audience since, it is never shown or
sent. So summaries may name a thread, but only ever reach people who can still see it.
"""

from __future__ import annotations

from bridgework.accounts.models import Person

from .models import Notification, NotificationQuerySet, Space
from .visibility import can_view


def notify(
    *,
    person: Person,
    kind: str,
    summary: str,
    url: str,
    space: Space | None = None,
) -> Notification | None:
    """Tell someone something in Bridgework. Returns None (and stores nothing) when the
    notification is about a space the person cannot see."""
    if space is not None and not can_view(person, space):
        return None
    if not person.is_active:
        return None
    return Notification.objects.create(
        person=person,
        kind=kind,
        summary=summary[:300],
        url=url[:500],
        space=space,
    )


def visible_notifications(person: Person) -> NotificationQuerySet:
    """The person's notifications that they may still see, newest first."""
    return Notification.objects.for_person(person).select_related("space")


def unread_count(person: Person) -> int:
    return visible_notifications(person).unread().count()
