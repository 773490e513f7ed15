"""Query counts on list pages stay the same whatever the amount of data."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Organisation,
    Person,
    Role,
)

from .conftest import Cast, Clock, CountQueries, QueryCount, make_person


def add_people(organisation: Organisation, count: int, start: int) -> None:
    groups = [
        CommunityGroup.objects.create(organisation=organisation, name=f"Group {start + n}")
        for n in range(3)
    ]
    for n in range(start, start + count):
        roles = {Role.PARTICIPANT} if n % 2 else {Role.PARTICIPANT, Role.FACILITATOR}
        person = make_person(organisation, f"p{n}@acme.test", f"Person {n}", roles)
        GroupMembership.objects.create(group=groups[n % 3], person=person, added_by="self")


PAGES = [
    ("/", "program_admin", 9),
    ("/", "participant_and_member", 9),
    ("/people/", "program_admin", 5),
    ("/people/?q=person", "program_admin", 5),
    ("/groups/", "participant", 5),
    ("/people/groups/", "program_admin", 3),
    ("/profile/", "participant", 8),
]


@pytest.mark.parametrize(("path", "position", "pinned"), PAGES)
def test_list_pages_do_the_same_number_of_queries_for_5_and_80_people(
    path: str,
    position: str,
    pinned: int,
    cast: Cast,
    organisation: Organisation,
    count_queries: CountQueries,
) -> None:
    client = cast.client(position)
    add_people(organisation, 5, start=0)
    small = count_queries(client.get, path)
    add_people(organisation, 75, start=100)
    large = count_queries(client.get, path)
    assert small == large == pinned


def test_group_and_person_pages_are_constant_too(
    cast: Cast, organisation: Organisation, count_queries: CountQueries
) -> None:
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
            waiting = make_person(organisation, f"w{batch}-{n}@acme.test", f"W {n}", set())
            GroupInvitation.objects.create(group=group, person=waiting, accepted_at=timezone.now())
        sizes.append(
            (
                count_queries(client.get, f"/people/groups/{group.pk}/"),
                count_queries(client.get, f"/people/{person.pk}/"),
                count_queries(lead_client.get, f"/groups/{group.pk}/members/"),
                count_queries(lead_client.get, "/groups/"),
                count_queries(lead_client.get, "/"),
            )
        )
    # group page, person page, a group's roster, the groups page and home (as the lead).
    assert sizes[0] == sizes[1] == (4, 4, 6, 5, 9)


def test_the_people_page_is_pinned_at_a_small_fixed_number_of_queries(
    cast: Cast, organisation: Organisation, count_queries: CountQueries
) -> None:
    add_people(organisation, 30, start=0)
    client = cast.client("program_admin")
    # session, person (with organisation and roles), a page of people (never counted), their
    # roles, invitations.
    assert count_queries(client.get, "/people/") == 5


# --- insights: exact counts, whatever the organisation's size -----------------------------------

# Every insights request reads the session and the person (with organisation and roles);
# the dashboard and the CSV then the cohorts the viewer may see, the period's releases,
# whether the cohort is in them (a cohort's view only) and the figures, and write the audit
# row; the dashboard also reads the budget (shown to program admins). The privacy page reads
# the budget and the releases it lists.
INSIGHTS_QUERIES = {
    "organisation, month": 7,
    "organisation, 3m": 7,
    "organisation, 12m": 7,
    "organisation, all": 7,
    "cohort, month": 8,
    "cohort, 3m": 8,
    "cohort, 12m": 8,
    "cohort, all": 8,
    "CSV, organisation": 6,
    "CSV, cohort": 7,
    "privacy page": 4,
}


def insights_queries(
    client: Client, cohort: int, count_queries: CountQueries
) -> dict[str, QueryCount]:
    def get(name: str, query: dict[str, str | int]) -> QueryCount:
        return count_queries(client.get, reverse(name), query)

    counts = {}
    for period in ("month", "3m", "12m", "all"):
        counts[f"organisation, {period}"] = get(
            "insights", {"cohort": "organisation", "period": period}
        )
        counts[f"cohort, {period}"] = get("insights", {"cohort": cohort, "period": period})
    counts["CSV, organisation"] = get("insights_export", {"cohort": "organisation", "period": "3m"})
    counts["CSV, cohort"] = get("insights_export", {"cohort": cohort, "period": "3m"})
    counts["privacy page"] = get("insights_privacy", {})
    return counts


def test_insights_pages_make_a_fixed_number_of_queries_at_any_size(
    cast: Cast, count_queries: CountQueries
) -> None:
    from datetime import date

    from bridgework.cohorts.models import Membership
    from bridgework.insights import releases

    from .insights_support import active_people, at, cohort_of, commit_and_check_in

    organisation = cast.program_admin.organisation
    assert organisation is not None
    client = cast.client("program_admin")
    with at(date(2025, 12, 10)):
        people = active_people(organisation, 12, prefix="a")
        cohort = cohort_of(organisation, "First", people[:6])
    with at(date(2026, 1, 10)):
        for person in people:
            commit_and_check_in(person)
    # January is released with the cohort in it (members since December).
    with at(date(2026, 2, 2)):
        releases.release_closed_months(organisation=organisation)
        small = insights_queries(client, cohort.pk, count_queries)
    # Many more people, a second cohort and more released months: not one query more.
    with at(date(2026, 2, 10)):
        more = active_people(organisation, 40, prefix="b")
        for person in more[:20]:
            Membership.objects.create(cohort=cohort, person=person)
        cohort_of(organisation, "Second", more[20:])
    with at(date(2026, 3, 10)):
        for person in more:
            commit_and_check_in(person)
    with at(date(2026, 5, 2)):
        releases.release_closed_months(organisation=organisation)
        large = insights_queries(client, cohort.pk, count_queries)
    assert small == INSIGHTS_QUERIES
    assert large == INSIGHTS_QUERIES


# --- personal lists and the pulses list: exact counts at two sizes --------------------------------


def add_own_things(cast: Cast, count: int, start: int) -> None:
    """`count` more of everything the pages below list: the participant's notifications, role
    models with a goal each, and apologies drafted; the organisation's safety pulses."""
    from datetime import date, timedelta

    from bridgework.insights.models import SafetyPulse
    from bridgework.notifications.models import Notification
    from bridgework.reflection import services as reflection

    me = cast.participant
    organisation = me.organisation
    assert organisation is not None
    Notification.objects.bulk_create(
        Notification(person=me, kind="other", summary=f"News {n}", url="/groups/")
        for n in range(start, start + count)
    )
    for n in range(start, start + count):
        model = reflection.save_role_model(person=me, name=f"Mentor {n}")
        reflection.add_goal(person=me, role_model=model, text=f"Listen like {n}")
        reflection.save_apology(person=me, scenario="meeting", what_happened=f"Talked over {n}")
        opens = date(2026, 1, 1) + timedelta(days=n)
        SafetyPulse.objects.create(
            organisation=organisation,
            opens_on=opens,
            closes_on=opens + timedelta(days=7),
            created_by=cast.program_admin,
        )


OWN_PAGE_QUERIES = {
    ("/community/notifications/", "participant"): 3,
    ("/reflect/role-models/", "participant"): 4,
    ("/reflect/repair/", "participant"): 3,
    ("/insights/pulses/", "program_admin"): 4,
}


@pytest.mark.parametrize(("path", "position"), OWN_PAGE_QUERIES)
def test_personal_lists_and_the_pulses_list_are_pinned(
    path: str, position: str, cast: Cast, count_queries: CountQueries
) -> None:
    client = cast.client(position)
    add_own_things(cast, 3, start=0)
    small = count_queries(client.get, path)
    add_own_things(cast, 40, start=100)
    large = count_queries(client.get, path)
    assert small == large == OWN_PAGE_QUERIES[path, position]


def test_a_commitments_page_is_pinned_however_long_its_history(
    cast: Cast, clock: Clock, count_queries: CountQueries
) -> None:
    from datetime import timedelta

    from bridgework.practice import services as practice

    commitment = practice.commit(
        person=cast.participant,
        title="Credit ideas by name",
        practice="deep-curiosity",
        courage=1,
        cadence="daily",
    )
    url = f"/practice/commitments/{commitment.pk}/"
    counts = []
    for days in (3, 77):
        for _ in range(days):
            practice.check_in(commitment=commitment, outcome="done", note="Said whose idea it was")
            clock.advance(timedelta(days=1))
        counts.append(count_queries(cast.client("participant").get, url))
    assert counts[0] == counts[1] == 4
