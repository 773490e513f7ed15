"""Query counts on list pages stay the same whatever the amount of data."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Organisation,
    Person,
    Role,
)

from .conftest import Cast, make_person


def add_people(organisation: Organisation, count: int, start: int) -> None:
    groups = [
        CommunityGroup.objects.create(organisation=organisation, name=f"Group {start + n}")
        for n in range(3)
    ]
    for n in range(start, start + count):
        roles = {Role.PARTICIPANT} if n % 2 else {Role.PARTICIPANT, Role.FACILITATOR}
        person = make_person(organisation, f"p{n}@acme.test", f"Person {n}", roles)
        GroupMembership.objects.create(group=groups[n % 3], person=person, added_by="self")


def queries_for(get: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = get()
    assert response.status_code == 200  # type: ignore[attr-defined]
    return len(captured)


PAGES = [
    ("/", "program_admin"),
    ("/", "participant_and_member"),
    ("/people/", "program_admin"),
    ("/people/?q=person", "program_admin"),
    ("/groups/", "participant"),
    ("/people/groups/", "program_admin"),
    ("/profile/", "participant"),
]


@pytest.mark.parametrize(("path", "position"), PAGES)
def test_list_pages_do_the_same_number_of_queries_for_5_and_80_people(
    path: str, position: str, cast: Cast, organisation: Organisation
) -> None:
    client = cast.client(position)
    add_people(organisation, 5, start=0)
    small = queries_for(lambda: client.get(path))
    add_people(organisation, 75, start=100)
    large = queries_for(lambda: client.get(path))
    assert small == large


def test_group_and_person_pages_are_constant_too(cast: Cast, organisation: Organisation) -> None:
    client = cast.client("program_admin")
    group = CommunityGroup.objects.create(organisation=organisation, name="Big group")
    person: Person = cast.participant
    lead = cast.participant_and_member
    GroupMembership.objects.create(group=group, person=lead, added_by="self", is_lead=True)
    lead_client = cast.client("participant_and_member")
    sizes = []
    for batch in (3, 60):
        for n in range(batch):
            member = make_person(organisation, f"m{batch}-{n}@acme.test", f"M {n}", set())
            GroupMembership.objects.create(group=group, person=member, added_by="admin")
            other_group = CommunityGroup.objects.create(
                organisation=organisation, name=f"G {batch}-{n}"
            )
            GroupMembership.objects.create(group=other_group, person=person, added_by="admin")
            GroupInvitation.objects.create(group=other_group, person=lead)
        sizes.append(
            (
                queries_for(lambda: client.get(f"/people/groups/{group.pk}/")),
                queries_for(lambda: client.get(f"/people/{person.pk}/")),
                queries_for(lambda: lead_client.get(f"/groups/{group.pk}/members/")),
                queries_for(lambda: lead_client.get("/groups/")),
                queries_for(lambda: lead_client.get("/")),
            )
        )
    assert sizes[0] == sizes[1]


def test_the_people_page_is_pinned_at_a_small_fixed_number_of_queries(
    cast: Cast, organisation: Organisation
) -> None:
    add_people(organisation, 30, start=0)
    client = cast.client("program_admin")
    # session, person, roles (nav), count + page of people, their roles, invitations.
    assert queries_for(lambda: client.get("/people/")) <= 9
