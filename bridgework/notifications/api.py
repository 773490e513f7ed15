"""What other apps call to tell people something in Bridgework.

`notify` and `notify_many` write nothing while the caller's transaction is open: once it has
committed, a background task makes the notifications in bulk, keeping only people who
are active and — for a notification about a space — can see the space (and the thread, if
one is named) at that moment, checked for the whole batch in one query. A post that rolls
back tells nobody, and a busy thread costs the person posting nothing per follower.

A notification is re-checked whenever it is listed or e-mailed (models.py), so a summary
may name a thread but only ever reaches people who can still see it.

A summary is written in each recipient's own language when the notification is made: pass
the English text marked with `gettext_noop` and its named placeholders in `summary_params`
(`summary=gettext_noop("%(name)s replied in “%(title)s”")`, `summary_params={"name": ...}`),
never a sentence already formatted or translated in the sender's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from bridgework.accounts.models import Person
from bridgework.lib.prepared import prepared

from . import kinds, tasks
from .models import Notification, NotificationQuerySet
from .spaces import SpaceRules, rules
from .spaces import register as register_space_rules

__all__ = [
    "SpaceRules",
    "kinds",
    "mark_read",
    "notify",
    "notify_many",
    "register_space_rules",
    "unread_count",
    "visible_notifications",
]


def notify_many(
    *,
    people: Iterable[Person | int],
    kind: str | kinds.Kind,
    summary: str,
    url: str,
    summary_params: Mapping[str, str | int] | None = None,
    space_id: int | None = None,
    thread_id: int | None = None,
) -> None:
    """Tell each of these people the same thing, once the current transaction commits."""
    person_ids = sorted({p if isinstance(p, int) else p.pk for p in people})
    if not person_ids:
        return
    declared = kinds.get(kind)
    transaction.on_commit(
        lambda: tasks.deliver.enqueue(
            person_ids=person_ids,
            kind=declared.value,
            summary=summary,
            summary_params=dict(summary_params or {}),
            url=url[:500],
            space_id=space_id,
            thread_id=thread_id,
        )
    )


def notify(
    *,
    person: Person,
    kind: str | kinds.Kind,
    summary: str,
    url: str,
    summary_params: Mapping[str, str | int] | None = None,
    space_id: int | None = None,
) -> None:
    """Tell one person something (see `notify_many`)."""
    notify_many(
        people=[person],
        kind=kind,
        summary=summary,
        summary_params=summary_params,
        url=url,
        space_id=space_id,
    )


# The home page says "more than 99" beyond this.
UNREAD_SHOWN = 100


def unread_count(person: Person) -> int:
    """How many of the person's unread notifications they may still see, up to
    UNREAD_SHOWN. Only the spaces and threads those notifications come from are checked
    for visibility, and only when there are some: most people have none unread."""
    places = _unread_places(person_id=person.pk)[:UNREAD_SHOWN]
    spaces = {space_id for space_id, _ in places if space_id is not None}
    threads = {thread_id for _, thread_id in places if thread_id is not None}
    seen_spaces = (
        set(rules().visible_to(person).filter(pk__in=spaces).values_list("pk", flat=True))
        if spaces
        else set()
    )
    seen_threads = (
        set(rules().visible_threads(person).filter(pk__in=threads).values_list("pk", flat=True))
        if threads
        else set()
    )
    return sum(
        1
        for space_id, thread_id in places
        if (space_id is None or space_id in seen_spaces)
        and (thread_id is None or thread_id in seen_threads)
    )


@prepared
def _unread_places(*, person_id: int) -> QuerySet[Notification, tuple[int | None, int | None]]:
    """Where the person's unread notifications come from, newest first."""
    return (
        Notification.objects.filter(person_id=person_id, read_at__isnull=True)
        .order_by("-created_at")
        .values_list("space_id", "thread_id")
    )


def visible_notifications(person: Person) -> NotificationQuerySet:
    """The person's notifications that they may still see, newest first."""
    return Notification.objects.for_person(person).select_related("space")


def mark_read(
    *,
    kind: str | kinds.Kind,
    at: datetime,
    person: Person | None = None,
    people: Iterable[Person | int] | None = None,
    space_id: int | None = None,
    url: str | None = None,
) -> int:
    """Settles news that is no longer news: unread notifications of this kind (for this
    person, or for these people, about this space, pointing at this address) count as read
    from `at`."""
    settled = Notification.objects.filter(kind=kinds.get(kind).value, read_at__isnull=True)
    if person is not None:
        settled = settled.filter(person=person)
    if people is not None:
        settled = settled.filter(person_id__in={p if isinstance(p, int) else p.pk for p in people})
    if space_id is not None:
        settled = settled.filter(space_id=space_id)
    if url is not None:
        settled = settled.filter(url=url)
    return settled.update(read_at=at)


def mark_thread_read(*, person: Person, thread_id: int, at: datetime) -> int:
    """The person has read the thread: what they were told about it (replies, mentions) is
    no longer news."""
    return Notification.objects.filter(
        person=person, thread_id=thread_id, read_at__isnull=True
    ).update(read_at=at)
