"""The names to check a proposed wording against, read in one query, for the
identifying-words check."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet, Value

from bridgework.accounts.models import CommunityGroup, Invitation, Organisation, Person
from bridgework.cohorts.api import Cohort, Membership, Session
from bridgework.community.api import Space, visible_spaces

from .identifying import Names

PERSON, EMAIL, NAME, PLACE = "person", "email", "name", "place"


def _labelled(rows: QuerySet[Any], kind: str, column: str) -> QuerySet[Any, tuple[str, str]]:
    # The label comes first in every part of the union, so the columns line up.
    return rows.order_by().values_list(Value(kind, output_field=CharField()), column)


def organisation_names(organisation_id: int, *, facilitator: Person, ask_space: Space) -> Names:
    """The names a wording proposed by this facilitator for an ask in `ask_space` must not
    hold, read in one UNION query.

    Everyone's names and e-mail addresses (invited people's too), and the names of the
    organisation, its community groups and its cohorts, all of them: the check is there to
    keep the author from being pointed at (by their manager's name, say), and that a name
    belongs to someone or something in the organisation is no secret from a facilitator.
    Every member sees every community group on /groups/; a cohort is no protected group, and
    a facilitator is offered the organisation's cohorts by name when creating a space.

    Rooms and spaces are different: quoting back a name the facilitator cannot see would
    tell them that it exists, as the "already exists" check on a new space's name would
    (community.services.spaces). A session's room is shown only to its cohort's members and
    to whoever runs the cohort, and a protected space only to its audience, so only the rooms
    and spaces the facilitator can see are checked, and always the ask's own space."""
    people = Person.objects.filter(organisation_id=organisation_id)
    invited = Invitation.objects.filter(organisation_id=organisation_id)
    spaces = (visible_spaces(facilitator) | Space.objects.filter(pk=ask_space.pk)).filter(
        organisation_id=organisation_id
    )
    their_cohorts = Cohort.objects.managed_by(facilitator) | Cohort.objects.filter(
        pk__in=Membership.objects.filter(
            person_id=facilitator.pk, status=Membership.Status.MEMBER
        ).values("cohort_id")
    )
    parts = [
        _labelled(people, PERSON, "chosen_name"),
        _labelled(people, EMAIL, "email"),
        _labelled(invited, PERSON, "chosen_name"),
        _labelled(invited, EMAIL, "email"),
        _labelled(Organisation.objects.filter(pk=organisation_id), NAME, "name"),
        _labelled(CommunityGroup.objects.filter(organisation_id=organisation_id), NAME, "name"),
        _labelled(spaces, NAME, "name"),
        _labelled(Cohort.objects.filter(organisation_id=organisation_id), NAME, "name"),
        _labelled(
            Session.objects.filter(
                cohort__organisation_id=organisation_id,
                cohort__in=their_cohorts.order_by().values("pk"),
            ).exclude(location=""),
            PLACE,
            "location",
        ),
    ]
    names = Names()
    add = {
        PERSON: names.add_person,
        EMAIL: names.add_email,
        NAME: names.add_name,
        PLACE: names.add_place,
    }
    for kind, text in parts[0].union(*parts[1:], all=True).order_by():
        if text:
            add[kind](text)
    return names
