"""What other apps (asks, resources) use of the community: its spaces, the one visibility
rule and the services that write to it. They import this module and nothing else from here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, Q, QuerySet

from bridgework.accounts.models import Person
from bridgework.lib.prepared import prepared
from bridgework.notifications.api import SpaceRules

from .models import Post, PostingPause, Space, SpaceQuerySet, Thread, ThreadQuerySet
from .notices import tell
from .services import accept_guidelines
from .visibility import NOTHING, audience_q, can_view

__all__ = [
    "Space",
    "accept_guidelines",
    "can_view",
    "paused_space_ids",
    "space_rules",
    "tell",
    "visible_spaces",
    "waiting_for_moderation",
]


def visible_spaces(person: Person) -> SpaceQuerySet:
    """Spaces the person may see right now (see visibility.py)."""
    return Space.objects.visible_to(person)


def waiting_for_moderation(person: Person) -> list[Mapping[str, object]]:
    """Each space the person looks after that has posts waiting for them (held, or flagged
    and not yet dealt with): its id, name and how many, by name."""
    if not person.is_active or not person.is_facilitator or person.organisation_id is None:
        return []
    return list(_waiting_by_space(person_id=person.pk, organisation_id=person.organisation_id))


@prepared
def _waiting_by_space(*, person_id: int, organisation_id: int) -> QuerySet[Any, dict[str, Any]]:
    waiting = (
        Post.objects.waiting_in_any(Space.objects.named_for(person_id, organisation_id))
        .order_by("space__name", "space_id")
        .values("space_id", "space__name")
        .annotate(waiting=Count("pk"))
    )
    return waiting  # type: ignore[return-value]  # the stubs' TypedDict of the rows


def paused_space_ids(person: Person) -> QuerySet[PostingPause, int]:
    """The spaces where a facilitator has paused the person's posting, as a subquery."""
    return PostingPause.objects.active().filter(person=person).values_list("space_id", flat=True)


def _audience(space_id: int, thread_id: int | None) -> Q:
    """Everyone who may see the space (and thread) now; nobody once it has been deleted."""
    space = Space.objects.filter(pk=space_id).first()
    thread = None if thread_id is None else Thread.objects.filter(pk=thread_id).first()
    if space is None or (thread_id is not None and thread is None):
        return NOTHING
    return audience_q(space, thread)


def visible_threads(person: Person) -> ThreadQuerySet:
    """Threads the person may see right now (see visibility.py)."""
    return Thread.objects.visible_to(person)


space_rules = SpaceRules(
    visible_to=visible_spaces, visible_threads=visible_threads, audience=_audience
)
