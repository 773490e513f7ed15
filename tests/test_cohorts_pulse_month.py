"""The month a session pulse's answers count in is fixed before anyone answers, and a program
admin changing the organisation's time zone afterwards moves no answer to another month: not
for the bound on each person's answers, not in insights' releases."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts import services
from bridgework.cohorts.models import FEEDBACK_PER_MONTH, PulseResponse, Session
from bridgework.insights import releases
from bridgework.insights.models import Release, ReleasedFigure

from .cohorts_support import add_members, make_cohort
from .conftest import Cast

EAST = "Pacific/Kiritimati"  # UTC+14
JANUARY, FEBRUARY = date(2030, 1, 1), date(2030, 2, 1)
# Pulses close 14 days and 90 minutes after these start, all in January, in UTC and at +14.
MID_JANUARY = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)
# Pulses close on 31 January 10:30 to 17:30 UTC: 1 February 00:30 to 07:30 at +14.
LATE = datetime(2030, 1, 17, 9, 0, tzinfo=UTC)


@pytest.fixture
def noiseless(settings: Any) -> None:
    settings.INSIGHTS_NOISELESS = True


def set_zone(organisation: Organisation, name: str) -> None:
    """What a program admin does on /settings/."""
    organisation.time_zone = name
    organisation.save(update_fields=["time_zone"])


def attended_sessions(
    cast: Cast, members: Sequence[Person], firsts: Sequence[datetime]
) -> list[list[Session]]:
    """One cohort of `members`; for each instant in `firsts`, FEEDBACK_PER_MONTH sessions an
    hour apart from it, each with every member marked present."""
    with time_machine.travel(datetime(2029, 12, 1, tzinfo=UTC), tick=False):
        cohort = make_cohort(
            cast.facilitator, members, start=date(2029, 12, 20), at=time(9), zone="UTC", sessions=1
        )
    batches, number = [], 1
    for first in firsts:
        batch = []
        for k in range(FEEDBACK_PER_MONTH):
            number += 1
            session = Session.objects.create(
                cohort=cohort,
                number=number,
                starts_at=first + timedelta(hours=k),
                time_zone="UTC",
                duration_minutes=90,
            )
            with time_machine.travel(session.starts_at + timedelta(minutes=30), tick=False):
                services.mark_attendance(session=session, marks={p.pk: "present" for p in members})
            batch.append(session)
        batches.append(batch)
    return batches


def answer_all(sessions: Sequence[Session], person: Person) -> None:
    for session in sessions:
        with time_machine.travel(session.ends_at + timedelta(minutes=5), tick=False):
            assert services.answer_pulse(session=session, person=person, useful=4, safe=4)


def measures(release: Release) -> set[str]:
    return set(
        ReleasedFigure.objects.filter(release=release, cohort__isnull=True).values_list(
            "measure", flat=True
        )
    )


@pytest.mark.usefixtures("noiseless")
@pytest.mark.parametrize("answered_later", [False, True])
def test_a_zone_change_never_lets_one_persons_answers_drop_a_months_feedback(
    cast: Cast, organisation: Organisation, answered_later: bool
) -> None:
    """The attack: with the zone at UTC+14, the target answers 8 pulses closing mid-January
    and 8 closing on 1 February just after midnight there (31 January in UTC), each month
    within the bound; the admin then sets the zone back to UTC before January is released.
    Were the month worked out again from the zone, the later 8 would count in January too,
    the target would be past the bound, and January's feedback and safety figures would be
    left out: whether they appear would say whether the target answered the later pulses."""
    set_zone(organisation, EAST)
    target, *others = add_members(organisation, 6)
    january, february = attended_sessions(cast, [target, *others], [MID_JANUARY, LATE])
    answer_all(january, target)
    if answered_later:
        answer_all(february, target)
    set_zone(organisation, "UTC")
    with time_machine.travel(datetime(2030, 3, 2, 12, tzinfo=UTC), tick=False):
        release = releases.release_month(organisation=organisation, month=JANUARY)
        later = releases.release_month(organisation=organisation, month=FEBRUARY)
    assert {"feedback_answers", "feedback_people", "safety_people"} <= measures(release)
    january_figures = {
        (f.measure, f.key): f.value
        for f in ReleasedFigure.objects.filter(release=release, cohort__isnull=True)
    }
    # January's feedback is the first 8 answers whether or not the later 8 were given.
    assert january_figures[("feedback_answers", "all")] == FEEDBACK_PER_MONTH
    assert january_figures[("feedback_people", "all")] == 1
    # The later 8 count in February, the month they were bounded in.
    february_figures = {
        (f.measure, f.key): f.value
        for f in ReleasedFigure.objects.filter(release=later, cohort__isnull=True)
    }
    assert february_figures[("feedback_answers", "all")] == (
        FEEDBACK_PER_MONTH if answered_later else 0
    )


def test_a_pulses_month_is_fixed_when_someone_is_first_marked_present(
    cast: Cast, organisation: Organisation
) -> None:
    set_zone(organisation, EAST)
    (member,) = add_members(organisation, 1)
    ((late, *_),) = attended_sessions(cast, [member], [LATE])
    assert late.pulse_closes_at.astimezone(UTC).date() == date(2030, 1, 31)
    assert Session.objects.get(pk=late.pk).pulse_month == FEBRUARY
    set_zone(organisation, "UTC")
    # Marking again, checking in, answering: the month stays the one first fixed.
    services.mark_attendance(session=late, marks={member.pk: "present"})
    with time_machine.travel(late.starts_at, tick=False):
        services.self_check_in(session=Session.objects.get(pk=late.pk), person=member)
    answer_all([Session.objects.get(pk=late.pk)], member)
    assert Session.objects.get(pk=late.pk).pulse_month == FEBRUARY


def test_a_pulse_fixed_in_the_next_month_is_answered_though_the_zone_now_says_this_one(
    cast: Cast, organisation: Organisation
) -> None:
    set_zone(organisation, EAST)
    (member,) = add_members(organisation, 1)
    january, february = attended_sessions(cast, [member], [MID_JANUARY, LATE])
    set_zone(organisation, "UTC")
    answer_all(january, member)
    assert services.month_of_feedback_full(session=january[0], person=member)
    # It closes on 31 January by the calendar as it is now; it counts in February.
    assert not services.month_of_feedback_full(session=february[0], person=member)
    answer_all(february[:1], member)
    assert PulseResponse.objects.filter(person=member).count() == FEEDBACK_PER_MONTH + 1


def test_a_pulse_fixed_in_a_full_month_is_refused_though_the_zone_now_says_the_next_one(
    cast: Cast, organisation: Organisation
) -> None:
    (member,) = add_members(organisation, 1)
    (january,) = attended_sessions(cast, [member], [MID_JANUARY])
    ninth = Session.objects.create(
        cohort=january[0].cohort, number=99, starts_at=LATE, time_zone="UTC"
    )
    with time_machine.travel(ninth.starts_at, tick=False):
        services.mark_attendance(session=ninth, marks={member.pk: "present"})
    assert Session.objects.get(pk=ninth.pk).pulse_month == JANUARY
    set_zone(organisation, EAST)  # its pulse now closes on 1 February there
    answer_all(january, member)
    with (
        time_machine.travel(ninth.ends_at + timedelta(minutes=5), tick=False),
        pytest.raises(ValidationError, match="as many session pulses as count"),
    ):
        services.answer_pulse(
            session=Session.objects.get(pk=ninth.pk), person=member, useful=4, safe=4
        )
    assert not services.has_answered(session=ninth, person=member)


def test_the_migration_fixes_attended_sessions_by_the_zone_set_when_it_runs(
    cast: Cast, organisation: Organisation
) -> None:
    set_zone(organisation, EAST)
    (member,) = add_members(organisation, 1)
    ((late, *_),) = attended_sessions(cast, [member], [LATE])
    Session.objects.update(pulse_month=None)
    migration = importlib.import_module(
        "bridgework.cohorts.migrations.0008_sessions_fix_their_pulse_month"
    )
    migration.fix_pulse_months(apps, None)
    assert Session.objects.get(pk=late.pk).pulse_month == FEBRUARY
    # Sessions nobody attended wait for their first mark.
    first = Session.objects.get(cohort=late.cohort, number=1)
    assert first.pulse_month is None and not first.was_attended


def test_a_month_waits_for_the_pulses_fixed_in_it_even_once_the_zone_has_ended_it(
    cast: Cast, organisation: Organisation
) -> None:
    """Fixed in January with the zone at UTC, a pulse closes on 31 January at 10:30 UTC. With
    the zone moved to UTC+14 since, January ends on 31 January at 10:00 UTC: released then,
    the month would leave out answers still to come, and describe a pulse still open."""
    (member,) = add_members(organisation, 1)
    ((late, *_),) = attended_sessions(cast, [member], [LATE])
    assert Session.objects.get(pk=late.pk).pulse_month == JANUARY
    set_zone(organisation, EAST)
    with time_machine.travel(datetime(2030, 1, 31, 10, 15, tzinfo=UTC), tick=False):
        assert organisation.today() == FEBRUARY
        with pytest.raises(releases.ReleaseRefused, match="still open"):
            releases.release_month(organisation=organisation, month=JANUARY)
    with time_machine.travel(datetime(2030, 1, 31, 17, 45, tzinfo=UTC), tick=False):
        assert releases.release_month(organisation=organisation, month=JANUARY)
