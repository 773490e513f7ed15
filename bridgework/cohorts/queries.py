"""The cohorts pages' questions, asked on every visit, prepared (bridgework/lib/prepared.py).
The reader's roles choose the query; their ids and the time go into it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, TypedDict, cast

from django.db.models import Exists, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from bridgework.accounts.models import Person, Role
from bridgework.curriculum.api import Module
from bridgework.lib.prepared import Rows, prepared

from .models import Cohort, Listed, Membership, Session, member_count

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


def _reader(
    person_id: int, organisation_id: int, active: bool, facilitator: bool, program_admin: bool
) -> Person:
    roles = [Role.FACILITATOR] * facilitator + [Role.PROGRAM_ADMIN] * program_admin
    return Person.reader(
        person_id=person_id, organisation_id=organisation_id, roles=roles, active=active
    )


def _switches(person: Person) -> dict[str, bool]:
    """What of the reader chooses the query (bridgework/lib/prepared.py)."""
    return {
        "active": person.is_active,
        "facilitator": person.is_facilitator,
        "program_admin": person.is_program_admin,
    }


@prepared
def _listed(
    *,
    person_id: int,
    organisation_id: int,
    now: datetime,
    active: bool,
    facilitator: bool,
    program_admin: bool,
) -> QuerySet[WithAnnotations[Cohort, Listed]]:
    reader = _reader(person_id, organisation_id, active, facilitator, program_admin)
    return Cohort.objects.listed_for(reader, now)


def listed_for(person: Person) -> Rows[WithAnnotations[Cohort, Listed]]:
    """`Cohort.objects.listed_for(person)`, for an active person in an organisation."""
    return _listed(
        person_id=person.pk,
        organisation_id=person.organisation_id or 0,
        now=timezone.now(),
        **_switches(person),
    )


class Shown(TypedDict):
    """What a cohort's page knows of it besides its own fields, in the query that finds it."""

    member_count: int
    manages: bool
    my_status: str  # the person's membership's status, "" if they have none


@prepared
def _shown(
    *,
    cohort_id: int,
    person_id: int,
    organisation_id: int,
    manage: bool,
    active: bool,
    facilitator: bool,
    program_admin: bool,
) -> QuerySet[WithAnnotations[Cohort, Shown]]:
    reader = _reader(person_id, organisation_id, active, facilitator, program_admin)
    cohorts = Cohort.objects.managed_by(reader) if manage else Cohort.objects.visible_to(reader)
    mine = Membership.objects.filter(cohort=OuterRef("pk"), person_id=person_id).order_by()
    shown = (
        cohorts.filter(pk=cohort_id)
        .select_related("organisation")
        .annotate(
            member_count=member_count(),
            manages=Exists(Cohort.objects.managed_by(reader).filter(pk=OuterRef("pk"))),
            my_status=Coalesce(Subquery(mine.values("status")[:1]), Value("")),
        )
    )
    return cast("QuerySet[WithAnnotations[Cohort, Shown]]", shown)


def shown_cohort(
    person: Person, cohort_id: int, *, manage: bool
) -> WithAnnotations[Cohort, Shown] | None:
    """The cohort, if the person may see it (or, with `manage`, run it), with its member
    count, whether they run it and their own membership's status."""
    return _shown(
        cohort_id=cohort_id,
        person_id=person.pk,
        organisation_id=person.organisation_id or 0,
        manage=manage,
        **_switches(person),
    ).first()


@prepared
def asking_to_join(*, cohort_id: int) -> QuerySet[Membership]:
    """The cohort's requests to join, oldest first."""
    return (
        Membership.objects.filter(cohort_id=cohort_id, status=Membership.Status.REQUESTED)
        .select_related("person")
        .order_by("pk")
    )


@prepared
def members_of(*, cohort_id: int) -> QuerySet[Membership]:
    """The cohort's members by name, with only what a row shows (a name and pronouns)."""
    return (
        Membership.objects.filter(cohort_id=cohort_id, status=Membership.Status.MEMBER)
        .select_related("person")
        .only("cohort_id", "person__chosen_name", "person__pronouns")
        .order_by(Lower("person__chosen_name"), "pk")
    )


@prepared
def sessions_of(*, cohort_id: int) -> QuerySet[Session]:
    return Session.objects.filter(cohort_id=cohort_id).select_related("module")


@prepared
def facilitators_of(*, cohort_id: int) -> QuerySet[Person]:
    return Person.objects.filter(facilitated_cohorts=cohort_id)


@prepared
def modules_of(*, cohort_id: int) -> QuerySet[Module]:
    chosen = Cohort.modules.through.objects.filter(cohort_id=cohort_id)
    return Module.objects.filter(pk__in=chosen.values("module_id"))


class Seated(TypedDict):
    """Where the reader sits in a session: running its cohort, a member of it, or both."""

    managed: bool
    member: bool


@prepared
def _session_with_seat(
    *,
    session_id: int,
    person_id: int,
    organisation_id: int,
    active: bool,
    facilitator: bool,
    program_admin: bool,
) -> QuerySet[WithAnnotations[Session, Seated]]:
    reader = _reader(person_id, organisation_id, active, facilitator, program_admin)
    members = Membership.objects.filter(
        cohort_id=OuterRef("cohort_id"), person_id=person_id, status=Membership.Status.MEMBER
    )
    seated = (
        Session.objects.filter(pk=session_id, cohort__organisation_id=organisation_id)
        .select_related("cohort", "cohort__organisation", "module")
        .annotate(
            managed=Exists(Cohort.objects.managed_by(reader).filter(pk=OuterRef("cohort_id"))),
            member=Exists(members),
        )
    )
    return cast("QuerySet[WithAnnotations[Session, Seated]]", seated)


def session_with_seat(person: Person, session_id: int) -> WithAnnotations[Session, Seated] | None:
    """The session, in the person's organisation, saying whether they run its cohort and
    whether they are one of its members: one query for what took three."""
    if person.organisation_id is None:
        return None
    return _session_with_seat(
        session_id=session_id,
        person_id=person.pk,
        organisation_id=person.organisation_id,
        **_switches(person),
    ).first()
