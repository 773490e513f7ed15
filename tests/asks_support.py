"""Shared set-up for the asks specs: the group's protected space and an allies' space, both
looked after by the named facilitator."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from bridgework.accounts.models import CommunityGroup, Person
from bridgework.asks import services
from bridgework.asks.models import Ask, AskResponse, PublishedAsk
from bridgework.community.models import GuidelinesAcceptance, Space

from .conftest import Cast


@dataclass
class Spaces:
    protected: Space
    allies: Space
    group: CommunityGroup


def make_spaces(cast: Cast) -> Spaces:
    organisation = cast.participant.organisation
    assert organisation is not None
    group = CommunityGroup.objects.get(organisation=organisation, name="Disability Network")
    protected = Space.objects.create(
        organisation=organisation,
        name="Disability Network space",
        slug="disability-network",
        audience=Space.Audience.GROUP,
        group=group,
        opened_to_group_at=timezone.now(),  # as one of the group's leads would
    )
    allies = Space.objects.create(
        organisation=organisation,
        name="Allies",
        slug="allies",
        audience=Space.Audience.ORGANISATION,
    )
    protected.facilitators.add(cast.facilitator)
    allies.facilitators.add(cast.facilitator)
    return Spaces(protected, allies, group)


def write_ask(
    space: Space, author: Person, *, title: str = "Captions, please", body: str = ""
) -> Ask:
    GuidelinesAcceptance.objects.get_or_create(space=space, person=author)
    return services.write_ask(
        space=space,
        author=author,
        title=title,
        body=body or "When videos are shared in all-hands, please turn captions on.",
    )


def propose(ask: Ask, facilitator: Person, allies: Space, **wording: str) -> Ask:
    return services.propose(
        ask=ask,
        facilitator=facilitator,
        space=allies,
        title=wording.get("title", "Turn captions on"),
        body=wording.get("body", "When you share a video in a meeting, turn captions on."),
    )


def publish(ask: Ask, facilitator: Person, allies: Space, **wording: str) -> PublishedAsk:
    """Proposed by the facilitator and approved by the author, as it must be."""
    proposed = propose(ask, facilitator, allies, **wording)
    assert proposed.author is not None
    return services.approve(ask=proposed, author=proposed.author, version=proposed.proposal_version)


def respond(published: PublishedAsk, person: Person, *, note: str = "") -> AskResponse:
    return services.respond(
        published=published,
        person=person,
        title="Captions on whenever I share a video",
        practice_slug="courageous-responsibilities",
        courage=1,
        cadence="weekly",
        note=note,
    )
