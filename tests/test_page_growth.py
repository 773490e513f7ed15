"""No page grows with the organisation: every GET page, from every position, is the same
size with 60 and with 120 more people and cohorts.

The first 60 fill every list that shows a page at a time (50 people, 50 cohorts in a picker,
20 cohorts a page); the next 60 would show only on a page that lists everything. A crawl of
the benchmark's large organisation found three such pages: the note and role-model forms
listed every colleague (4.6 MB a page at 100,000 people), the insights pickers and the new
space form every cohort. A few bytes may differ: a count in a sentence.

Facilitators and community groups come only with the first 60. The forms that choose who
leads a cohort or looks after a space tick from every facilitator, and the groups pages list
every group, on purpose: an organisation has few of each (the benchmark's 100,000 people have
250 facilitators, a 24 KB list; employee resource groups are a few dozen at most). A search
or a pager would replace those lists if that changed.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import count

from django.db import transaction

from bridgework.accounts.models import CommunityGroup, Organisation, Person, Role, RoleAssignment
from bridgework.cohorts.models import Cohort

from .conftest import POSITIONS, Cast, Clock, signed_in_clients
from .test_authorization import ADMIN_PREFIX, all_routes, example_path, sample_values

__all__ = ["sample_values"]  # the fixture, used by name below

# A difference this small is a number in a sentence ("60 people"), not a longer list.
SAME_SIZE_BYTES = 40

_serial = count()


def grow(organisation: Organisation, facilitator: Person, *, first: bool) -> None:
    """60 more people and cohorts that `facilitator` leads; the `first` time, one person in
    six a facilitator, and 20 community groups."""
    batch = next(_serial)
    people = Person.objects.bulk_create(
        Person(
            organisation=organisation,
            email=f"grown{batch}-{n}@example.org",
            chosen_name=f"Grown {batch:02}-{n:02}",
        )
        for n in range(60)
    )
    RoleAssignment.objects.bulk_create(
        RoleAssignment(
            person=person,
            role=Role.FACILITATOR if first and n % 6 == 0 else Role.PARTICIPANT,
        )
        for n, person in enumerate(people)
    )
    start = date(2020, 1, 6) + timedelta(days=7 * 60 * batch)
    cohorts = Cohort.objects.bulk_create(
        Cohort(
            organisation=organisation,
            name=f"Grown cohort {batch:02}-{n:02}",
            start_date=start + timedelta(days=7 * n),
            open_to_join=True,
        )
        for n in range(60)
    )
    Cohort.facilitators.through.objects.bulk_create(
        Cohort.facilitators.through(cohort=cohort, person=facilitator) for cohort in cohorts
    )
    if first:
        CommunityGroup.objects.bulk_create(
            CommunityGroup(organisation=organisation, name=f"Grown group {n:02}") for n in range(20)
        )


def test_no_page_grows_with_the_organisation(
    clock: Clock, cast: Cast, sample_values: dict[str, str]
) -> None:
    organisation = cast.participant.organisation
    assert organisation is not None
    as_ = signed_in_clients(cast)

    pages = [
        (name, example_path(route, sample_values))
        for route, name in all_routes()
        if not route.startswith(ADMIN_PREFIX)
    ]

    def sizes() -> dict[tuple[str, str], int]:
        measured = {}
        for name, path in pages:
            for position in POSITIONS:
                with transaction.atomic():  # each page on the same data, whatever it writes
                    response = as_(position).get(path)
                    transaction.set_rollback(True)
                if response.status_code == 200 and not response.streaming:
                    measured[(name, position)] = len(response.content)
        return measured

    grow(organisation, cast.facilitator, first=True)
    before = sizes()
    grow(organisation, cast.facilitator, first=False)
    after = sizes()

    grown = [
        f"{name} as {position}: {before[(name, position)]:,} -> {size:,} bytes"
        for (name, position), size in after.items()
        if (name, position) in before and size - before[(name, position)] > SAME_SIZE_BYTES
    ]
    assert grown == [], "Pages longer with a larger organisation:\n" + "\n".join(grown)
    assert len(after) > 200  # the pages were really looked at
