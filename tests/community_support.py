"""Shared set-up for the community tests: the two typical spaces and a way to post."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bridgework.accounts.models import CommunityGroup, Person
from bridgework.community.models import GuidelinesAcceptance, Post, Space, Thread


def _space(facilitator: Person, name: str, **audience: Any) -> Space:
    organisation = facilitator.organisation
    assert organisation is not None
    space = Space.objects.create(
        organisation=organisation,
        name=name,
        slug=Space.unique_slug_for(organisation, name),
        created_by=facilitator,
        **audience,
    )
    space.facilitators.add(facilitator)
    return space


def allies_space(facilitator: Person, name: str = "Allies") -> Space:
    return _space(facilitator, name, audience=Space.Audience.ORGANISATION)


def group_space(facilitator: Person, group: CommunityGroup, name: str = "Our space") -> Space:
    return _space(
        facilitator,
        name,
        audience=Space.Audience.GROUP,
        group=group,
        opened_to_group_at=timezone.now(),  # as one of the group's leads would
    )


def raw_post(space: Space, author: Person, body: str, title: str = "A thread") -> Post:
    """A thread with one post, written straight to the database (no rules, no limits)."""
    GuidelinesAcceptance.objects.get_or_create(space=space, person=author)
    thread = Thread.objects.create(space=space, title=title, author=author)
    return Post.objects.create(space=space, thread=thread, author=author, body=body)
