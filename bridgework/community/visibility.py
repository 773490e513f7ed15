"""The one rule of who may see what in community spaces.

A person sees a space when they are active, belong to its organisation, and either
facilitate it (while they hold the facilitator role) or are in its audience right now:

- an organisation space: people with the participant role;
- a cohort space: the cohort's members;
- a community group's space: the group's members, once one of its leads has opened it to
  them (before that, its leads only). Nobody else — program admins included.

Everything that hangs off a space (threads, posts, polls, notifications, resources and asks
of other apps) is visible exactly when its space is; a hidden post only to its author and the
space's facilitators; a withheld thread (its opening post hidden or held), title and replies
included, only to the thread's author and the space's facilitators. `can_view` answers for one
object in Python; `visible_spaces_q`, `visible_threads_q` and `visible_posts_q` say the same in
SQL for lists; `audience_q` says it from the other side, for telling many people at once. All
read the membership tables every time,
so removing someone from an audience takes effect on their next request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bridgework.accounts.models import GroupMembership, Person, Role, RoleAssignment
from bridgework.cohorts.api import Membership

from .models import Post, Space, Thread

NOTHING = Q(pk__in=[])


def _facilitated_space_ids(person: Person) -> Any:
    return Space.facilitators.through.objects.filter(person_id=person.pk).values("space_id")


def facilitated_space_ids(person: Person) -> list[int]:
    """The spaces the person looks after while they hold the facilitator role, read now."""
    if not person.is_active or not person.has_role(Role.FACILITATOR):
        return []
    return list(
        Space.facilitators.through.objects.filter(person_id=person.pk).values_list(
            "space_id", flat=True
        )
    )


def visible_spaces_q(person: Person) -> Q:
    """A filter on Space for the spaces the person may see."""
    if not isinstance(person, Person) or not person.is_active or person.organisation_id is None:
        return NOTHING
    audience = Q(
        audience=Space.Audience.COHORT,
        cohort_id__in=Membership.objects.filter(
            person_id=person.pk, status=Membership.Status.MEMBER
        ).values("cohort_id"),
    ) | Q(
        audience=Space.Audience.GROUP,
        group_id__in=GroupMembership.objects.filter(person_id=person.pk).values("group_id"),
        opened_to_group_at__isnull=False,
    )
    # A group's leads also see the spaces proposed for their group, to decide on them.
    audience |= Q(
        audience=Space.Audience.GROUP,
        group_id__in=GroupMembership.objects.filter(person_id=person.pk, is_lead=True).values(
            "group_id"
        ),
    )
    if person.has_role(Role.PARTICIPANT):
        audience |= Q(audience=Space.Audience.ORGANISATION)
    if person.has_role(Role.FACILITATOR):
        audience |= Q(pk__in=_facilitated_space_ids(person))
    return Q(organisation_id=person.organisation_id) & audience


def withheld_threads_q(person: Person, prefix: str = "") -> Q:
    """A filter on Thread (or, with a prefix such as "thread__", on what hangs off a thread)
    leaving out withheld threads, except for their author and the space's facilitators. It
    says nothing about the space: combine it with `visible_spaces_q`."""
    if not isinstance(person, Person) or not person.is_active:
        return NOTHING
    allowed = Q(**{f"{prefix}is_withheld": False}) | Q(**{f"{prefix}author_id": person.pk})
    if person.has_role(Role.FACILITATOR):
        allowed |= Q(**{f"{prefix}space_id__in": _facilitated_space_ids(person)})
    return allowed


def visible_threads_q(person: Person) -> Q:
    """A filter on Thread for the threads the person may see."""
    if not isinstance(person, Person) or not person.is_active or person.organisation_id is None:
        return NOTHING
    spaces = Space.objects.filter(visible_spaces_q(person)).values("pk")
    return Q(space_id__in=spaces) & withheld_threads_q(person)


def visible_posts_q(person: Person, prefix: str = "") -> Q:
    """A filter on Post (or, with a prefix such as "post__", on what hangs off a post)."""
    if not isinstance(person, Person) or not person.is_active or person.organisation_id is None:
        return NOTHING
    spaces = Space.objects.filter(visible_spaces_q(person)).values("pk")
    shown = Q(**{f"{prefix}status": Post.Status.SHOWN}) | Q(**{f"{prefix}author_id": person.pk})
    if person.has_role(Role.FACILITATOR):
        shown |= Q(**{f"{prefix}space_id__in": _facilitated_space_ids(person)})
    in_thread = withheld_threads_q(person, prefix=f"{prefix}thread__")
    return Q(**{f"{prefix}space_id__in": spaces}) & shown & in_thread


def _can_view_thread(person: Person, thread: Thread) -> bool:
    if not _can_view_space(person, thread.space):
        return False
    return (
        not thread.is_withheld or thread.author_id == person.pk or thread.space.can_moderate(person)
    )


def in_audience(person: Person, space: Space) -> bool:
    """Whether the person is in the space's audience right now, not merely looking after it
    as its facilitator: a group's space counts only the group's members."""
    if not person.is_active or person.organisation_id != space.organisation_id:
        return False
    if space.audience == Space.Audience.ORGANISATION:
        return person.has_role(Role.PARTICIPANT)
    if space.audience == Space.Audience.COHORT and space.cohort_id is not None:
        return Membership.objects.filter(
            cohort_id=space.cohort_id, person_id=person.pk, status=Membership.Status.MEMBER
        ).exists()
    if space.audience == Space.Audience.GROUP and space.group_id is not None:
        members = GroupMembership.objects.filter(group_id=space.group_id, person_id=person.pk)
        if space.awaits_group:
            members = members.filter(is_lead=True)
        return members.exists()
    return False


def _can_view_space(person: Person, space: Space) -> bool:
    if not person.is_active or person.organisation_id is None:
        return False
    if person.organisation_id != space.organisation_id:
        return False
    if person.has_role(Role.FACILITATOR) and space.facilitators.filter(pk=person.pk).exists():
        return True
    return in_audience(person, space)


def can_view(person: Any, obj: Any) -> bool:
    """May this person see this object (a Space, or anything with a `space`)?"""
    if not isinstance(person, Person):
        return False
    if isinstance(obj, Space):
        return _can_view_space(person, obj)
    if isinstance(obj, Thread):
        return _can_view_thread(person, obj)
    if isinstance(obj, Post):
        if not _can_view_thread(person, obj.thread):
            return False
        return obj.is_shown or obj.author_id == person.pk or obj.space.can_moderate(person)
    post = getattr(obj, "post", None)
    if isinstance(post, Post):
        return can_view(person, post)
    space = getattr(obj, "space", None)
    if isinstance(space, Space):
        return _can_view_space(person, space)
    if space is None and hasattr(obj, "space"):
        # Something that could belong to a space but does not (a notification about
        # the person's own account, say) is theirs alone.
        return getattr(obj, "person_id", None) == person.pk
    return False


def _holding(role: str) -> Q:
    return Q(pk__in=RoleAssignment.objects.filter(role=role).values("person_id"))


def _looking_after_q(space: Space) -> Q:
    facilitators = Space.facilitators.through.objects.filter(space_id=space.pk)
    return Q(pk__in=facilitators.values("person_id")) & _holding(Role.FACILITATOR)


def audience_q(space: Space, thread: Thread | None = None) -> Q:
    """A filter on Person for everyone who may see this space (and this thread): the rule of
    `can_view`, read from the people's side, so a batch is checked in one query."""
    if space.audience == Space.Audience.ORGANISATION:
        audience = _holding(Role.PARTICIPANT)
    elif space.audience == Space.Audience.COHORT and space.cohort_id is not None:
        members = Membership.objects.filter(
            cohort_id=space.cohort_id, status=Membership.Status.MEMBER
        )
        audience = Q(pk__in=members.values("person_id"))
    elif space.audience == Space.Audience.GROUP and space.group_id is not None:
        group = GroupMembership.objects.filter(group_id=space.group_id)
        if space.awaits_group:
            group = group.filter(is_lead=True)
        audience = Q(pk__in=group.values("person_id"))
    else:
        audience = NOTHING
    allowed = Q(is_active=True, organisation_id=space.organisation_id) & (
        audience | _looking_after_q(space)
    )
    if thread is not None and thread.is_withheld:
        allowed &= Q(pk=thread.author_id) | _looking_after_q(space)
    return allowed
