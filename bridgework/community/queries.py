"""The community's questions asked on every visit to a space, prepared
(bridgework/lib/prepared.py). The reader's roles choose the query; their ids go into it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from bridgework.accounts.models import Person, Role
from bridgework.lib.prepared import Rows, prepared

from .models import Poll, Space, SpaceQuerySet, Thread, ThreadQuerySet, ThreadRead


def _reader(person_id: int, organisation_id: int, participant: bool, facilitator: bool) -> Person:
    roles = [Role.PARTICIPANT] * participant + [Role.FACILITATOR] * facilitator
    return Person.reader(person_id=person_id, organisation_id=organisation_id, roles=roles)


@prepared
def _visible_space(
    *, space_id: int, person_id: int, organisation_id: int, participant: bool, facilitator: bool
) -> SpaceQuerySet:
    reader = _reader(person_id, organisation_id, participant, facilitator)
    return Space.objects.visible_to(reader).filter(pk=space_id).select_related("cohort", "group")


def visible_space(person: Person, space_id: int) -> Space | None:
    """The space, if the person may see it, with its cohort and group."""
    if not person.is_active or person.organisation_id is None:
        return None
    return _visible_space(
        space_id=space_id,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        participant=person.is_participant,
        facilitator=person.is_facilitator,
    ).first()


@prepared
def _threads_listed(*, space_id: int, person_id: int, facilitator: bool) -> ThreadQuerySet:
    reader = _reader(person_id, 0, False, facilitator)  # the space is known to be theirs
    read = ThreadRead.objects.filter(
        thread=OuterRef("pk"), person_id=person_id, last_read_at__gte=OuterRef("last_activity_at")
    )
    return (
        Thread.objects.filter(space_id=space_id)
        .listed_for(reader)
        .select_related("author")
        .annotate(seen=Exists(read))
        .order_by("-last_activity_at", "-pk")
    )


def threads_listed(person: Person, space: Space) -> Rows[Thread]:
    """The space's threads the person may see, newest activity first, each saying whether
    they have read it since."""
    return _threads_listed(
        space_id=space.pk,
        person_id=person.pk,
        facilitator=person.is_facilitator,
    )


@prepared
def _polls_of(*, space_id: int) -> QuerySet[Poll]:
    return Poll.objects.filter(space_id=space_id)


def latest_polls(space: Space, n: int) -> list[Poll]:
    return _polls_of(space_id=space.pk)[:n]
