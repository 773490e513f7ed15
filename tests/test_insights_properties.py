"""No state of the data makes insights answer 500: random organisations with people who join,
act, are deactivated or erased, and cohorts whose members come and go, released month by
month, then every view and period read as a page and as CSV, with the noise on and off."""

from __future__ import annotations

import itertools
from datetime import date

from django.test import override_settings
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bridgework.accounts import services as account_services
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts.models import Membership
from bridgework.insights import releases
from bridgework.insights.models import Release, ReleasedFigure

from .conftest import Cast, client_for, make_person
from .insights_support import at, cohort_of, commit_and_check_in

MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
PERIODS = ["month", "3m", "12m", "all"]
counter = itertools.count()

# One step in one month: who does what.
steps = st.lists(
    st.tuples(
        st.sampled_from(["act", "kept", "deactivate", "erase", "join", "leave", "cohort"]),
        st.integers(min_value=0, max_value=30),
    ),
    max_size=10,
)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.integers(min_value=0, max_value=12),
    plan=st.lists(steps, min_size=len(MONTHS), max_size=len(MONTHS)),
    noiseless=st.booleans(),
)
def test_no_organisation_state_makes_insights_fail(
    cast: Cast, people: int, plan: list[list[tuple[str, int]]], noiseless: bool
) -> None:
    n = next(counter)
    with at(date(2025, 12, 15)):
        organisation = Organisation.objects.create(name=f"Random {n}", slug=f"random-{n}")
        admin = make_person(organisation, f"admin{n}@r.test", "Admin", {Role.PROGRAM_ADMIN})
        crowd: list[Person] = [
            make_person(organisation, f"r{n}-{i}@r.test", f"r {i}", {Role.PARTICIPANT})
            for i in range(people)
        ]
        cohorts = [cohort_of(organisation, f"First {n}", crowd[: len(crowd) // 2])]
    with override_settings(INSIGHTS_NOISELESS=noiseless):
        for month, moves in zip(MONTHS, plan, strict=True):
            with at(month.replace(day=10)):
                for move, index in moves:
                    alive = [p for p in crowd if p.is_active]
                    if move == "join":
                        crowd.append(
                            make_person(
                                organisation,
                                f"r{n}-j{next(counter)}@r.test",
                                "joiner",
                                {Role.PARTICIPANT},
                            )
                        )
                    if move == "cohort":
                        cohorts.append(
                            cohort_of(organisation, f"C{n}-{len(cohorts)}", alive[index % 9 :])
                        )
                    if move in {"join", "cohort"} or not alive:
                        continue
                    person = alive[index % len(alive)]
                    if move in {"act", "kept"}:
                        commit_and_check_in(person, outcome="done" if move == "kept" else "partly")
                    elif move == "deactivate":
                        person.deactivate()
                    elif move == "erase":
                        crowd.remove(person)
                        account_services.erase_person(person=person)
                    elif move == "leave":
                        Membership.objects.filter(person=person).delete()
            with at(releases.next_month(month).replace(day=1)):
                releases.release_closed_months(organisation=organisation)
        client = client_for(admin)
        with at(date(2026, 4, 2)):
            for view in ["organisation", *[str(c.pk) for c in cohorts]]:
                for period in PERIODS:
                    query = {"cohort": view, "period": period}
                    assert client.get(reverse("insights"), query).status_code == 200
                    assert client.get(reverse("insights_export"), query).status_code == 200
    made = Release.objects.filter(organisation=organisation)
    assert made.count() == len(MONTHS) + 1  # and December 2025, when the organisation began
    assert all(r.spent_rho <= r.budget_rho * (1 + 1e-6) for r in made)
    if noiseless:
        # Active is counted among the enrolled only, whatever happened to anyone.
        for release in made:
            values = {
                (f.cohort_id, f.measure): f.value
                for f in ReleasedFigure.objects.filter(release=release, key="all")
            }
            for (cohort, measure), value in values.items():
                if measure == "active":
                    assert value <= values[(cohort, "enrolled")]
