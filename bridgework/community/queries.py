"""The community's questions asked on every visit to a space, prepared
(bridgework/lib/prepared.py). The reader's roles choose the query; their ids go into it."""

from __future__ import annotations

from django.db.models import Case, Count, Exists, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower

from bridgework.accounts.models import Person, Role
from bridgework.lib.capped import CappedCount, CappedSum
from bridgework.lib.prepared import Rows, prepared

from .models import (
    Flag,
    Poll,
    Post,
    PostQuerySet,
    PostRevision,
    Space,
    SpaceQuerySet,
    Thread,
    ThreadQuerySet,
    ThreadRead,
)
from .visibility import visible_threads_q, withheld_threads_q

# A space's figures on the community page stop at this many threads ("more than 99").
FIGURES_CAP = 100


def _reader(
    person_id: int, organisation_id: int, active: bool, participant: bool, facilitator: bool
) -> Person:
    roles = [Role.PARTICIPANT] * participant + [Role.FACILITATOR] * facilitator
    return Person.reader(
        person_id=person_id, organisation_id=organisation_id, roles=roles, active=active
    )


def _switches(person: Person) -> dict[str, bool]:
    """What of the reader chooses the query (bridgework/lib/prepared.py)."""
    return {
        "active": person.is_active,
        "participant": person.is_participant,
        "facilitator": person.is_facilitator,
    }


@prepared
def _visible_space(
    *,
    space_id: int,
    person_id: int,
    organisation_id: int,
    active: bool,
    participant: bool,
    facilitator: bool,
) -> SpaceQuerySet:
    reader = _reader(person_id, organisation_id, active, participant, facilitator)
    return Space.objects.visible_to(reader).filter(pk=space_id).select_related("cohort", "group")


def visible_space(person: Person, space_id: int) -> Space | None:
    """The space, if the person may see it, with its cohort and group."""
    if person.organisation_id is None:
        return None
    return _visible_space(
        space_id=space_id,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        **_switches(person),
    ).first()


@prepared
def _threads_listed(
    *, space_id: int, person_id: int, active: bool, participant: bool, facilitator: bool
) -> ThreadQuerySet:
    # The space is known to be theirs: only who may see withheld threads is asked here.
    reader = _reader(person_id, 0, active, participant, facilitator)
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
    return _threads_listed(space_id=space.pk, person_id=person.pk, **_switches(person))


@prepared
def _polls_of(*, space_id: int) -> QuerySet[Poll]:
    return Poll.objects.filter(space_id=space_id)


def latest_polls(space: Space, n: int) -> list[Poll]:
    return _polls_of(space_id=space.pk)[:n]


@prepared
def _spaces_listed(
    *,
    person_id: int,
    organisation_id: int,
    active: bool,
    participant: bool,
    facilitator: bool,
) -> SpaceQuerySet:
    # Each figure is its own subquery on one space's threads, and reads at most
    # FIGURES_CAP of them: the page says "more than 99" beyond that, so a space of 2,000
    # threads costs what one of 100 does. New posts are looked for in the space's latest
    # threads (a thread with new posts has recent activity; one never opened long ago
    # is not news). Withheld threads count only for those who may open them.
    reader = _reader(person_id, organisation_id, active, participant, facilitator)
    listed_threads = Thread.objects.filter(withheld_threads_q(reader), space=OuterRef("pk"))
    read = ThreadRead.objects.filter(
        thread=OuterRef("pk"), person_id=person_id, last_read_at__gte=OuterRef("last_activity_at")
    )
    return (
        Space.objects.visible_to(reader)
        .filter(is_archived=False)
        .select_related("group", "cohort")
        .annotate(
            thread_count=CappedCount(listed_threads.order_by(), FIGURES_CAP),
            last_activity=Subquery(
                listed_threads.order_by("-last_activity_at").values("last_activity_at")[:1]
            ),
            # 1 for each of the latest threads with posts the person has not read.
            unread=CappedSum(
                listed_threads.order_by("-last_activity_at").values(
                    n=Case(When(Exists(read), then=Value(0)), default=Value(1))
                ),
                FIGURES_CAP,
            ),
        )
        .order_by(Lower("name"), "pk")
    )


def spaces_listed(person: Person) -> Rows[Space]:
    """The community page's spaces, by name, each with its thread count, last activity and
    how many of its latest threads the person has not read, all capped at FIGURES_CAP."""
    return _spaces_listed(
        person_id=person.pk, organisation_id=person.organisation_id or 0, **_switches(person)
    )


@prepared
def _recent_threads(
    *,
    person_id: int,
    organisation_id: int,
    active: bool,
    participant: bool,
    facilitator: bool,
) -> ThreadQuerySet:
    reader = _reader(person_id, organisation_id, active, participant, facilitator)
    return (
        Thread.objects.filter(
            withheld_threads_q(reader),
            space_id__in=Space.objects.visible_to(reader).values("pk"),
        )
        .select_related("space")
        .order_by("-last_activity_at")
    )


def recent_threads(person: Person, n: int) -> list[Thread]:
    """The latest active threads the person may see, in any space."""
    return _recent_threads(
        person_id=person.pk, organisation_id=person.organisation_id or 0, **_switches(person)
    )[:n]


@prepared
def _visible_thread(
    *,
    thread_id: int,
    person_id: int,
    organisation_id: int,
    active: bool,
    participant: bool,
    facilitator: bool,
) -> ThreadQuerySet:
    reader = _reader(person_id, organisation_id, active, participant, facilitator)
    return (
        Thread.objects.filter(visible_threads_q(reader))
        .filter(pk=thread_id)
        .select_related("space", "space__cohort", "space__group", "author")
    )


def visible_thread(person: Person, thread_id: int) -> Thread | None:
    """The thread, if the person may see it, with its space and author."""
    if person.organisation_id is None:
        return None
    return _visible_thread(
        thread_id=thread_id,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        **_switches(person),
    ).first()


@prepared
def _posts_listed(*, thread_id: int, person_id: int, moderator: bool) -> PostQuerySet:
    # Counts come from subqueries per post (and one grouped query for the page's
    # reactions): joining revisions, flags and reactions together multiplied the rows.
    revisions = (
        PostRevision.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    flags = (
        Flag.objects.filter(post=OuterRef("pk"), resolved_at__isnull=True)
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    reader = Person(pk=person_id)
    return (
        Post.objects.filter(thread_id=thread_id)
        .listed_for(reader, moderator=moderator)
        .select_related("author")
        .annotate(
            revision_count=Coalesce(Subquery(revisions), 0),
            open_flags=Coalesce(Subquery(flags), 0) if moderator else Value(0),
        )
        .order_by("created_at", "pk")
    )


def posts_listed(person: Person, thread: Thread, *, moderator: bool) -> Rows[Post]:
    """The thread's posts the person may see, oldest first, each with how many times it was
    edited and, for a moderator, its open flags."""
    return _posts_listed(thread_id=thread.pk, person_id=person.pk, moderator=moderator)


@prepared
def _waiting_in(*, space_id: int) -> PostQuerySet:
    return Post.objects.waiting_in(Space(pk=space_id))


def waiting_in(space: Space) -> int:
    """How many of the space's posts wait for a facilitator."""
    return _waiting_in(space_id=space.pk).count()
