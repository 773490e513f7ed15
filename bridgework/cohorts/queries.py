"""The cohorts page's question, asked on every visit, prepared (bridgework/lib/prepared.py).
The reader's roles choose the query; their ids and the time go into it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone

from bridgework.accounts.models import Person, Role
from bridgework.lib.prepared import Rows, prepared

from .models import Cohort, Listed

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


@prepared
def _listed(
    *, person_id: int, organisation_id: int, now: datetime, facilitator: bool, program_admin: bool
) -> QuerySet[WithAnnotations[Cohort, Listed]]:
    roles = [Role.FACILITATOR] * facilitator + [Role.PROGRAM_ADMIN] * program_admin
    reader = Person.reader(person_id=person_id, organisation_id=organisation_id, roles=roles)
    return Cohort.objects.listed_for(reader, now)


def listed_for(person: Person) -> Rows[WithAnnotations[Cohort, Listed]]:
    """`Cohort.objects.listed_for(person)`, for an active person in an organisation."""
    return _listed(
        person_id=person.pk,
        organisation_id=person.organisation_id or 0,
        now=timezone.now(),
        facilitator=person.is_facilitator,
        program_admin=person.is_program_admin,
    )
