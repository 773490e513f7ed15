"""The organisation's names, read in one query, for the identifying-words check."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, QuerySet, Value

from bridgework.accounts.models import CommunityGroup, Invitation, Organisation, Person
from bridgework.cohorts.api import Cohort, Session
from bridgework.community.api import Space

from .identifying import Names

PERSON, EMAIL, NAME, PLACE = "person", "email", "name", "place"


def _labelled(rows: QuerySet[Any], kind: str, column: str) -> QuerySet[Any, tuple[str, str]]:
    # The label comes first in every part of the union, so the columns line up.
    return rows.order_by().values_list(Value(kind, output_field=CharField()), column)


def organisation_names(organisation_id: int) -> Names:
    """Everyone's names and e-mail addresses (invited people's too), and the names of the
    organisation, its groups, spaces, cohorts and session rooms: one UNION query."""
    people = Person.objects.filter(organisation_id=organisation_id)
    invited = Invitation.objects.filter(organisation_id=organisation_id)
    parts = [
        _labelled(people, PERSON, "chosen_name"),
        _labelled(people, EMAIL, "email"),
        _labelled(invited, PERSON, "chosen_name"),
        _labelled(invited, EMAIL, "email"),
        _labelled(Organisation.objects.filter(pk=organisation_id), NAME, "name"),
        _labelled(CommunityGroup.objects.filter(organisation_id=organisation_id), NAME, "name"),
        _labelled(Space.objects.filter(organisation_id=organisation_id), NAME, "name"),
        _labelled(Cohort.objects.filter(organisation_id=organisation_id), NAME, "name"),
        _labelled(
            Session.objects.filter(cohort__organisation_id=organisation_id).exclude(location=""),
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
