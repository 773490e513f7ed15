"""The one rule of who may see what in community spaces.

A person sees a space when they are active, belong to its organisation, and either
facilitate it (while they hold the facilitator role) or are in its audience right now:

- an organisation space: people with the participant role;
- a cohort space: the cohort's members;
- a community group's space: the group's members, once one of its leads has opened it to
  them (before that, its leads only). Nobody else — program admins included.

Everything that hangs off a space (threads, posts, polls, notifications, resources and asks
of other apps) is visible exactly when its space is; a hidden post only to its author and the
space's facilitators. `can_view` answers for one object in Python; `visible_spaces_q` and
`visible_posts_q` say the same in SQL for lists. Both read the membership tables every time,
so removing someone from an audience takes effect on their next request.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bridgework.accounts.models import GroupMembership, Person, Role
from bridgework.cohorts.models import Membership

from .models import Post, Space

NOTHING = Q(pk__in=[])


def _facilitated_space_ids(person: Person) -> Any:
    return Space.facilitators.through.objects.filter(person_id=person.pk).values("space_id")


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


def visible_posts_q(person: Person, prefix: str = "") -> Q:
    """A filter on Post (or, with a prefix such as "post__", on what hangs off a post)."""
    if not isinstance(person, Person) or not person.is_active or person.organisation_id is None:
        return NOTHING
    spaces = Space.objects.filter(visible_spaces_q(person)).values("pk")
    shown = Q(**{f"{prefix}status": Post.Status.SHOWN}) | Q(**{f"{prefix}author_id": person.pk})
    if person.has_role(Role.FACILITATOR):
        shown |= Q(**{f"{prefix}space_id__in": _facilitated_space_ids(person)})
    return Q(**{f"{prefix}space_id__in": spaces}) & shown


def _can_view_space(person: Person, space: Space) -> bool:
    if not person.is_active or person.organisation_id is None:
        return False
    if person.organisation_id != space.organisation_id:
        return False
    if person.has_role(Role.FACILITATOR) and space.facilitators.filter(pk=person.pk).exists():
        return True
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


def can_view(person: Any, obj: Any) -> bool:
    """May this person see this object (a Space, or anything with a `space`)?"""
    if not isinstance(person, Person):
        return False
    if isinstance(obj, Space):
        return _can_view_space(person, obj)
    if isinstance(obj, Post):
        if not _can_view_space(person, obj.space):
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
