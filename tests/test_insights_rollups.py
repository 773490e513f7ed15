"""Rollups: incremental days add up to a rebuild from scratch; growth inputs are pseudonymous."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bridgework.accounts import services as account_services
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts.models import Attendance, Cohort, Membership, PulseAnswer, Session
from bridgework.curriculum.models import Lesson, LessonProgress
from bridgework.insights import rollups
from bridgework.insights import services as growth_services
from bridgework.insights.models import (
    Cell,
    DayTotal,
    EarlierTotal,
    GrowthMonth,
    GrowthScore,
    LastActiveMonth,
    MonthTotal,
    PersonActivity,
    RetentionCount,
    RollupState,
    SafetyAnswer,
    SafetyPulse,
    SafetyTotal,
)
from bridgework.insights.subjects import subject_key
from bridgework.practice import services as practice_services
from bridgework.practice.models import CheckIn, Commitment

from .conftest import curriculum_sample, make_person

TODAY = timezone.localdate()


def at(day: date, hour: int = 12) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_default_timezone())


@dataclass
class World:
    organisation: Organisation
    people: list[Person]
    lessons: list[Lesson]
    sessions: list[Session]


def make_world(organisation: Organisation, author: Person) -> World:
    people = [
        make_person(organisation, f"p{n}@acme.test", f"Person {n}", {Role.PARTICIPANT})
        for n in range(8)
    ]
    Person.objects.filter(pk__in=[p.pk for p in people]).update(
        date_joined=at(TODAY - timedelta(days=200))
    )
    module, lesson, _, _ = curriculum_sample(author)
    lessons = [lesson] + [
        Lesson.objects.create(module=module, slug=f"l{n}", title=f"L{n}", order=n + 2, minutes=5)
        for n in range(2)
    ]
    first = Cohort.objects.create(organisation=organisation, name="First", start_date=TODAY)
    second = Cohort.objects.create(organisation=organisation, name="Second", start_date=TODAY)
    for person in people[:5]:
        Membership.objects.create(cohort=first, person=person)
    for person in people[3:7]:
        Membership.objects.create(cohort=second, person=person)
    sessions = [
        Session.objects.create(
            cohort=cohort, number=n, starts_at=at(TODAY - timedelta(days=30 * n)), time_zone="UTC"
        )
        for cohort in (first, second)
        for n in (1, 2)
    ]
    return World(organisation, people, lessons, sessions)


def snapshot(organisation: Organisation) -> dict[str, Any]:
    def totals(model: Any, when: str) -> list[tuple[Any, ...]]:
        return sorted(
            (
                tuple(row.values())
                for row in model.objects.filter(organisation=organisation)
                .values("cohort_id", when, "practice", "courage")
                .annotate(*[Sum(f) for f in rollups.TOTAL_FIELDS])
                .order_by()
            ),
            key=repr,
        )

    return {
        "days": totals(DayTotal, "day"),
        "months": totals(MonthTotal, "month"),
        "people": sorted(
            PersonActivity.objects.filter(organisation=organisation).values_list(
                "person_id", "joined_month", "months", *(c.column for c in rollups.COUNTED)
            )
        ),
        "retention_counts": sorted(
            RetentionCount.objects.filter(organisation=organisation).values_list(
                "cohort_id", "kind", "number", "people"
            ),
            key=repr,
        ),
        "last_months": sorted(
            LastActiveMonth.objects.filter(organisation=organisation).values_list(
                "cohort_id", "kind", "practice", "courage", "month", "people"
            ),
            key=repr,
        ),
        "cells": sorted(
            Cell.objects.filter(organisation=organisation).values_list(
                "cohort_id",
                "period",
                "section",
                "key",
                "people",
                "value",
                "value2",
                "value3",
                "value4",
                "hidden",
            ),
            key=repr,
        ),
    }


days_back = st.integers(min_value=0, max_value=120)
events = st.lists(
    st.one_of(
        st.tuples(
            st.just("commit"), st.integers(0, 7), st.integers(0, 6), st.integers(1, 4), days_back
        ),
        st.tuples(
            st.just("check_in"),
            st.integers(0, 30),
            st.sampled_from(["done", "partly", "not_yet"]),
            days_back,
        ),
        st.tuples(st.just("lesson"), st.integers(0, 7), st.integers(0, 2), days_back),
        st.tuples(st.just("attend"), st.integers(0, 7), st.integers(0, 3), days_back),
    ),
    min_size=1,
    max_size=25,
)


def play(world: World, event: tuple[Any, ...]) -> list[date]:
    """Apply one event to the source tables; return the days the worker would fold."""
    kind = event[0]
    practices = [
        "deep-curiosity",
        "honest-introspection",
        "humble-acknowledgement",
        "empathetic-engagement",
        "authentic-conversations",
        "vulnerable-interactions",
        "courageous-responsibilities",
    ]
    if kind == "commit":
        _, who, practice, courage, back = event
        day = TODAY - timedelta(days=back)
        commitment = Commitment.objects.create(
            person=world.people[who],
            title="t",
            practice=practices[practice],
            courage=courage,
            created_at=at(day),
            started_on=day,
        )
        return [day]
    if kind == "check_in":
        _, which, outcome, back = event
        commitments = list(
            Commitment.objects.filter(person__organisation=world.organisation).order_by("pk")
        )
        if not commitments:
            return []
        commitment = commitments[which % len(commitments)]
        day = max(TODAY - timedelta(days=back), commitment.created_at.date())
        period = day - timedelta(days=day.weekday())
        existing = CheckIn.objects.filter(commitment=commitment, period_start=period).first()
        if existing is None:
            CheckIn.objects.create(
                commitment=commitment,
                person=commitment.person,
                period_start=period,
                outcome=outcome,
                created_at=at(day),
            )
            return [day]
        # A correction moves the check-in to the day it was made, never earlier.
        old = timezone.localtime(existing.created_at).date()
        new = max(old, day)
        existing.outcome, existing.created_at = outcome, at(new)
        existing.save()
        return [old, new]
    if kind == "lesson":
        _, who, which, back = event
        day = TODAY - timedelta(days=back)
        _, created = LessonProgress.objects.get_or_create(
            person=world.people[who],
            lesson=world.lessons[which],
            defaults={"completed_at": at(day)},
        )
        return [day] if created else []
    _, who, which, back = event
    day = TODAY - timedelta(days=back)
    _, created = Attendance.objects.get_or_create(
        session=world.sessions[which],
        person=world.people[who],
        defaults={"status": "present", "source": "facilitator", "marked_at": at(day)},
    )
    return [day] if created else []


# Each example builds a small organisation in the database; shrinking would take minutes.
IN_THE_DATABASE = settings(
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.django_db(transaction=False)
@settings(IN_THE_DATABASE, max_examples=20)
@given(history=events, refresh_after=st.sets(st.integers(0, 24)))
def test_day_by_day_rollups_equal_a_rebuild_from_scratch(
    history: list[tuple[Any, ...]],
    refresh_after: set[int],
    organisation: Organisation,
    program_admin: Person,
) -> None:
    with transaction.atomic():
        world = make_world(organisation, program_admin)
        for n, event in enumerate(history):
            for day in play(world, event):
                rollups.fold_day(organisation=organisation, day=day)
            # A refresh in between keeps the earlier months' sums that later folds of an
            # earlier month must throw away.
            if n in refresh_after:
                rollups.refresh(organisation=organisation)
        # The worker folds today on every run, whether anything happened or not.
        rollups.fold_day(organisation=organisation, day=TODAY)
        rollups.refresh(organisation=organisation)
        incremental = snapshot(organisation)
        rollups.rebuild(organisation=organisation)
        assert snapshot(organisation) == incremental
        transaction.set_rollback(True)


def earlier_totals(organisation: Organisation) -> list[tuple[Any, ...]]:
    return sorted(
        EarlierTotal.objects.filter(organisation=organisation).values_list(
            "period", "cohort_id", "practice", "courage", *rollups.TOTAL_FIELDS
        ),
        key=repr,
    )


@pytest.mark.django_db(transaction=False)
@settings(IN_THE_DATABASE, max_examples=10)
@given(history=events)
def test_earlier_months_rolled_into_the_next_month_equal_adding_them_up_again(
    history: list[tuple[Any, ...]], organisation: Organisation, program_admin: Person
) -> None:
    with transaction.atomic():
        world = make_world(organisation, program_admin)
        for event in history:
            play(world, event)
        rollups.rebuild(organisation=organisation)
        # From before the first event until every period has moved past the last one.
        month = rollups._months_back(TODAY, 5)
        rollups.refresh(organisation=organisation, today=month)
        for _ in range(19):
            month = rollups._next_month(month)
            rollups.refresh(organisation=organisation, today=month)
            rolled, cells = earlier_totals(organisation), snapshot(organisation)["cells"]
            RollupState.objects.filter(organisation=organisation).update(earlier_month=None)
            rollups.refresh(organisation=organisation, today=month)
            assert earlier_totals(organisation) == rolled
            assert snapshot(organisation)["cells"] == cells
        transaction.set_rollback(True)


def growth_months(organisation: Organisation) -> list[tuple[Any, ...]]:
    """GrowthMonth as comparable rows: sums kept by difference may differ from a fresh sum
    in the last bits of a float, so they are rounded."""
    return sorted(
        (
            (c, p, m, n, round(d, 9), round(dd, 9), round(b, 9))
            for c, p, m, n, d, dd, b in GrowthMonth.objects.filter(
                organisation=organisation
            ).values_list("cohort_id", "practice", "month", *rollups.GROWTH_SUMS)
        ),
        key=repr,
    )


# (who, practice, score in quarters, days ago)
assessments = st.lists(
    st.tuples(
        st.integers(0, 5),
        st.sampled_from(["deep-curiosity", "honest-introspection"]),
        st.integers(0, 16),
        st.integers(0, 80),
    ),
    max_size=14,
)


@pytest.mark.django_db(transaction=False)
@settings(IN_THE_DATABASE, max_examples=20)
@given(history=assessments, refresh_after=st.sets(st.integers(0, 13)))
def test_growth_kept_by_difference_equals_adding_every_score_up_again(
    history: list[tuple[int, str, int, int]],
    refresh_after: set[int],
    organisation: Organisation,
    program_admin: Person,
) -> None:
    with transaction.atomic():
        world = make_world(organisation, program_admin)
        rollups.rebuild(organisation=organisation)
        for n, (who, practice, quarters, back) in enumerate(history):
            growth_services.record_assessment(
                person=world.people[who],
                scores={practice: quarters / 4},
                taken_at=at(TODAY - timedelta(days=back)),
            )
            if n in refresh_after:
                rollups.refresh(organisation=organisation)
        rollups.refresh(organisation=organisation)
        folded = growth_months(organisation)
        rollups.rebuild(organisation=organisation)
        assert growth_months(organisation) == folded
        transaction.set_rollback(True)


def test_a_later_rating_moves_growth_to_its_month(
    organisation: Organisation, program_admin: Person
) -> None:
    world = make_world(organisation, program_admin)
    person = world.people[0]
    first_month = (TODAY.replace(day=1) - timedelta(days=70)).replace(day=1)
    for day, rating in [(first_month, 1.0), (first_month + timedelta(days=2), 2.5)]:
        growth_services.record_assessment(
            person=person, scores={"deep-curiosity": rating}, taken_at=at(day)
        )
    rollups.refresh(organisation=organisation)
    row = GrowthMonth.objects.get(organisation=organisation, cohort=None)
    assert (row.month, row.people, row.change, row.squares, row.baselines) == (
        first_month.replace(day=1),
        1,
        1.5,
        2.25,
        1.0,
    )
    growth_services.record_assessment(
        person=person, scores={"deep-curiosity": 0.5}, taken_at=at(TODAY)
    )
    rollups.refresh(organisation=organisation)
    row = GrowthMonth.objects.get(organisation=organisation, cohort=None)
    assert (row.month, row.people, row.change) == (TODAY.replace(day=1), 1, -0.5)
    score = GrowthScore.objects.get(organisation=organisation, cohort=None)
    assert (score.counted_month, score.counted_change, score.counted_baseline) == (
        TODAY.replace(day=1),
        -0.5,
        1.0,
    )


def test_update_day_is_idempotent(organisation: Organisation, program_admin: Person) -> None:
    world = make_world(organisation, program_admin)
    for n, event in enumerate(
        [("commit", 0, 0, 1, 3), ("check_in", 0, "done", 2), ("lesson", 1, 0, 2)]
    ):
        play(world, event)
        del n
    for _ in range(2):
        for back in range(5):
            rollups.update_day(organisation=organisation, day=TODAY - timedelta(days=back))
    twice = snapshot(organisation)
    rollups.rebuild(organisation=organisation)
    assert snapshot(organisation) == twice


def test_a_fold_keeps_the_last_day_of_anything_and_only_the_month_of_the_rest(
    organisation: Organisation, program_admin: Person
) -> None:
    world = make_world(organisation, program_admin)
    play(world, ("commit", 0, 0, 2, 0))
    rollups.fold_day(organisation=organisation, day=TODAY)
    kept = PersonActivity.objects.get(person=world.people[0])
    assert kept.any_on == TODAY
    assert kept.follow_on == TODAY.replace(day=1)
    assert kept.follow_courage_2_on == TODAY.replace(day=1)
    assert kept.lesson_on is None


def test_rows_changed_in_place_by_a_fold_match_a_rebuild(
    organisation: Organisation, program_admin: Person
) -> None:
    world = make_world(organisation, program_admin)
    for event in [("commit", 0, 0, 1, 40), ("commit", 3, 2, 3, 1), ("lesson", 4, 0, 1)]:
        play(world, event)
    rollups.rebuild(organisation=organisation)
    # Today's activity moves month totals, people counts and cells that already exist.
    for event in [
        ("commit", 0, 0, 2, 0),
        ("commit", 3, 2, 3, 0),
        ("check_in", 1, "done", 0),
        ("lesson", 4, 1, 0),
        ("attend", 5, 0, 0),
    ]:
        play(world, event)
    rollups.update_day(organisation=organisation, day=TODAY)
    folded = snapshot(organisation)
    rollups.rebuild(organisation=organisation)
    assert snapshot(organisation) == folded


def test_the_growth_inputs_hold_practice_scores_under_a_pseudonym(participant: Person) -> None:
    answers = {"curiosity-ask-about-experience": 1, "curiosity-notice-missing-voices": 3}
    practice_services.take_assessment(person=participant, answers=answers, defense="paralysis")
    practice_services.take_assessment(
        person=participant,
        answers={"curiosity-ask-about-experience": 4, "curiosity-notice-missing-voices": 4},
        defense="paralysis",
    )
    row = GrowthScore.objects.get(cohort__isnull=True)
    assert row.practice == "deep-curiosity"
    assert (row.baseline, row.latest, row.assessments) == (2.0, 4.0, 2)
    assert row.subject == subject_key(participant.pk)
    # Keyed: nobody without the data directory's key can recompute it from an id.
    plain = hashlib.sha256(f"person:{participant.pk}".encode()).hexdigest()
    assert len(row.subject) == 64 and row.subject != plain
    key_file = Path(django_settings.DATA_DIR) / "insights_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    # No column of the table points at a person.
    assert not any(
        getattr(field, "related_model", None) is Person for field in GrowthScore._meta.get_fields()
    )


def test_erasing_a_person_removes_their_growth_rows(
    participant: Person, facilitator: Person
) -> None:
    for person in (participant, facilitator):
        practice_services.take_assessment(
            person=person, answers={"curiosity-ask-about-experience": 2}, defense="paralysis"
        )
    account_services.erase_person(person=participant)
    assert list(GrowthScore.objects.values_list("subject", flat=True)) == [
        subject_key(facilitator.pk)
    ]


def test_a_cohort_member_gets_a_cohort_row_too(
    organisation: Organisation, participant: Person
) -> None:
    cohort = Cohort.objects.create(organisation=organisation, name="C", start_date=TODAY)
    Membership.objects.create(cohort=cohort, person=participant)
    practice_services.take_assessment(
        person=participant, answers={"curiosity-ask-about-experience": 2}, defense="paralysis"
    )
    assert sorted(GrowthScore.objects.values_list("cohort_id", flat=True), key=str) == sorted(
        [None, cohort.pk], key=str
    )


def test_the_rebuild_command_names_each_organisation(organisation: Organisation) -> None:
    out = io.StringIO()
    call_command("rebuild_insights", "--org", organisation.slug, stdout=out)
    assert out.getvalue().startswith(f"{organisation.slug}: rebuilt in ")
    assert Cell.objects.filter(organisation=organisation).exists()
    with pytest.raises(CommandError):
        call_command("rebuild_insights", "--org", "no-such-org")


# --- refresh does only the work that can change anything ---


def cell_writes(organisation: Organisation) -> list[str]:
    """The statements one refresh sends that write the Cell table (executemany is logged
    as "N times: UPDATE ...")."""
    with CaptureQueriesContext(connection) as queries:
        rollups.refresh(organisation=organisation)
    table = Cell._meta.db_table
    writes = re.compile(r"^(\d+ times: )?(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
    return [
        q["sql"]
        for q in queries.captured_queries
        if table in q["sql"] and writes.match(q["sql"].lstrip())
    ]


def growth_cells(organisation: Organisation) -> dict[tuple[Any, ...], tuple[int, float]]:
    return {
        (c, p, k): (n, v)
        for c, p, k, n, v in Cell.objects.filter(
            organisation=organisation, section="growth"
        ).values_list("cohort_id", "period", "key", "people", "value")
    }


def test_a_refresh_with_nothing_new_writes_no_cell(
    organisation: Organisation, program_admin: Person
) -> None:
    world = make_world(organisation, program_admin)
    play(world, ("commit", 0, 0, 1, 3))
    rollups.rebuild(organisation=organisation)
    assert cell_writes(organisation) == []
    # New activity, once folded, changes exactly the cells it touches.
    play(world, ("lesson", 1, 0, 0))
    rollups.fold_day(organisation=organisation, day=TODAY)
    assert cell_writes(organisation)
    assert cell_writes(organisation) == []


def test_growth_is_worked_out_again_when_someone_takes_the_assessment_again(
    organisation: Organisation, program_admin: Person
) -> None:
    people = [
        make_person(organisation, f"g{n}@acme.test", f"G {n}", {Role.PARTICIPANT}) for n in range(5)
    ]
    for person in people:
        practice_services.take_assessment(
            person=person, answers={"curiosity-ask-about-experience": 1}, defense="paralysis"
        )
    rollups.rebuild(organisation=organisation)
    before = growth_cells(organisation)
    key = (None, "all", "deep-curiosity")
    assert before[key] == (0, 0.0)  # a baseline alone is no change yet
    for person in people:
        practice_services.take_assessment(
            person=person, answers={"curiosity-ask-about-experience": 3}, defense="paralysis"
        )
    rollups.refresh(organisation=organisation)
    assert growth_cells(organisation)[key] == (5, 10.0)
    # Erasing someone takes their growth out at the next refresh.
    account_services.erase_person(person=people[0])
    rollups.refresh(organisation=organisation)
    assert growth_cells(organisation)[key] == (4, 8.0)


def test_the_dashboard_says_when_the_figures_were_last_checked(
    organisation: Organisation, program_admin: Person
) -> None:
    make_world(organisation, program_admin)
    rollups.rebuild(organisation=organisation)
    first = RollupState.objects.get(organisation=organisation).refreshed_at
    rollups.refresh(organisation=organisation)
    state = RollupState.objects.get(organisation=organisation)
    assert state.refreshed_at is not None and first is not None
    assert state.refreshed_at > first
    assert not state.retention_changed


def test_rows_updated_in_bulk_keep_every_value_exactly(organisation: Organisation) -> None:
    cell = Cell.objects.create(
        organisation=organisation, period="all", section="practice", key="total", people=1
    )
    later = timezone.now().replace(microsecond=123456)
    awkward = 'a"b\\c{,}'
    rollups._update_rows(
        Cell,
        ["people", "value", "value2", "hidden", "computed_at"],
        [(7, 1.5, 1e-7, awkward, later, cell.pk)],
    )
    cell.refresh_from_db()
    assert (cell.people, cell.value, cell.value2, cell.hidden, cell.computed_at) == (
        7,
        1.5,
        1e-7,
        awkward,
        later,
    )


def test_rows_inserted_in_bulk_keep_every_value_exactly(organisation: Organisation) -> None:
    awkward = 'key "with" \\ {braces}, commas'
    stamp = timezone.now().replace(microsecond=654321)
    columns = ["organisation_id", "cohort_id", "period", "section", "key", *rollups.CELL_VALUES]
    rollups._insert_rows(
        Cell,
        [*columns, "computed_at"],
        [
            (organisation.pk, None, "all", "practice", awkward, 3, 0.1, -2.5e-9, 0, 4, "", stamp),
            (organisation.pk, None, "3m", "growth", "k", 0, 0, 0, 0, 0, "small", stamp),
        ],
    )
    first = Cell.objects.get(key=awkward)
    assert (first.cohort_id, first.period, first.people, first.value, first.value2) == (
        None,
        "all",
        3,
        0.1,
        -2.5e-9,
    )
    assert first.computed_at == stamp
    assert Cell.objects.get(key="k").hidden == "small"


def feedback_cell(organisation: Organisation, cohort: Cohort | None) -> tuple[Any, ...]:
    return Cell.objects.filter(
        organisation=organisation, cohort=cohort, period="all", section="feedback"
    ).values_list("people", "value", "value2", "value3", "value4", "hidden")[0]


def test_session_feedback_is_added_up_once_a_pulse_closes(
    organisation: Organisation, program_admin: Person
) -> None:
    world = make_world(organisation, program_admin)
    first, second = world.sessions[0], world.sessions[2]  # one in each cohort, closed
    for useful in [5, 4, 4, 2, 3]:
        PulseAnswer.objects.create(session=first, useful=useful, safe=4)
    PulseAnswer.objects.create(session=second, useful=5, safe=5)  # too few to count
    later = Session.objects.create(
        cohort=first.cohort, number=3, starts_at=timezone.now(), time_zone="UTC"
    )
    for _ in range(5):
        PulseAnswer.objects.create(session=later, useful=1, safe=1)  # still open
    rollups.refresh(organisation=organisation)
    # Answers, sum of "useful", sum of "safe", sessions, answers rating it useful.
    assert feedback_cell(organisation, first.cohort) == (5, 18.0, 20.0, 1.0, 3.0, "")
    assert feedback_cell(organisation, None)[:5] == (5, 18.0, 20.0, 1.0, 3.0)
    assert feedback_cell(organisation, second.cohort)[0] == 0
    # The open session's pulse closes: the next refresh adds it, and a rebuild agrees.
    Session.objects.filter(pk=later.pk).update(starts_at=timezone.now() - timedelta(days=30))
    rollups.refresh(organisation=organisation)
    assert feedback_cell(organisation, first.cohort)[:4] == (10, 23.0, 25.0, 2.0)
    folded = [feedback_cell(organisation, c) for c in (None, first.cohort, second.cohort)]
    rollups.rebuild(organisation=organisation)
    assert [feedback_cell(organisation, c) for c in (None, first.cohort, second.cohort)] == folded


def test_rollup_rows_go_with_a_deleted_cohort_or_an_erased_person(
    organisation: Organisation, program_admin: Person
) -> None:
    # The database does not check the rollups' foreign keys (a rebuild would pay for every
    # inserted row at COMMIT): deleting what they point at must remove them all the same.
    world = make_world(organisation, program_admin)
    for event in [
        ("commit", 0, 0, 2, 3),
        ("commit", 4, 1, 1, 40),
        ("check_in", 0, "done", 1),
        ("lesson", 3, 0, 2),
        ("attend", 4, 0, 5),
    ]:
        play(world, event)
    rollups.rebuild(organisation=organisation)
    first = world.sessions[0].cohort
    cohort_rows: list[Any] = [DayTotal, MonthTotal, LastActiveMonth, RetentionCount, Cell]
    assert all(model.objects.filter(cohort=first).exists() for model in cohort_rows)

    first_pk, erased = first.pk, world.people[0]
    first.delete()
    assert not any(model.objects.filter(cohort_id=first_pk).exists() for model in cohort_rows)
    erased_pk = erased.pk
    assert PersonActivity.objects.filter(person_id=erased_pk).exists()
    account_services.erase_person(person=erased)
    assert not PersonActivity.objects.filter(person_id=erased_pk).exists()


def test_a_pulse_is_added_up_once_it_has_closed_and_never_read_again(
    organisation: Organisation,
) -> None:
    pulse = SafetyPulse.objects.create(
        organisation=organisation, opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 15)
    )
    ratings = [(5, 4, 1, 3, 2), (4, 4, 2, 5, 1), (2, 5, 3, 4, 4)]
    fields = ["speak_up", "mistakes", "ask_for_help", "different_views", "take_risks"]
    for row in ratings:
        SafetyAnswer.objects.create(pulse=pulse, **dict(zip(fields, row, strict=True)))
    rollups.refresh(organisation=organisation, today=date(2026, 11, 15))
    assert not SafetyTotal.objects.exists()  # still open on its last day

    rollups.refresh(organisation=organisation, today=date(2026, 11, 16))
    total = SafetyTotal.objects.get(pulse=pulse)
    assert total.answers == 3
    assert [getattr(total, f) for f in fields] == [11, 13, 6, 12, 7]
    assert [getattr(total, f"{f}_agree") for f in fields] == [2, 3, 0, 2, 1]

    RollupState.objects.filter(organisation=organisation).update(responses_at=None)
    with CaptureQueriesContext(connection) as queries:
        rollups.refresh(organisation=organisation, today=date(2026, 11, 17))
    assert not [q for q in queries if "insights_safetyanswer" in q["sql"]]
    assert Cell.objects.filter(organisation=organisation, section="safety").exists()


def test_answers_are_worked_out_again_once_a_pulse_closes_after_the_day_they_were_for(
    organisation: Organisation,
) -> None:
    SafetyPulse.objects.create(
        organisation=organisation, opens_on=date(2026, 11, 2), closes_on=date(2026, 11, 15)
    )
    state = RollupState(
        organisation=organisation, responses_at=timezone.now(), responses_on=date(2026, 11, 10)
    )
    assert not rollups._responses_changed(organisation, state, date(2026, 11, 15))  # still open
    assert rollups._responses_changed(organisation, state, date(2026, 11, 16))  # closed since
    state.responses_on = date(2026, 11, 16)
    assert not rollups._responses_changed(organisation, state, date(2026, 11, 30))
    assert rollups._responses_changed(organisation, state, date(2026, 12, 1))  # a new month
    state.responses_at = None  # an erasure asks for it
    assert rollups._responses_changed(organisation, state, date(2026, 11, 30))


@pytest.mark.django_db
def test_a_rebuild_on_sqlite_gives_back_the_page_cache_it_borrowed(
    organisation: Organisation,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's page cache")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()
        rollups.rebuild(organisation=organisation)
        cursor.execute("PRAGMA cache_size")
        assert cursor.fetchone() == before


@pytest.mark.django_db
def test_tables_a_fold_rewrites_leave_room_on_their_pages_on_postgresql() -> None:
    """Updates that change no indexed column stay on their page (HOT) only if it has room."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's fillfactor")
    rewritten = [
        "insights_personactivity",
        "insights_lastactivemonth",
        "insights_retentioncount",
        "insights_monthtotal",
        "insights_cell",
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname = ANY(%s)", [rewritten]
        )
        options = dict(cursor.fetchall())
    assert options == {
        "insights_personactivity": ["fillfactor=70"],
        "insights_lastactivemonth": ["fillfactor=70"],
        "insights_retentioncount": ["fillfactor=70"],
        "insights_monthtotal": ["fillfactor=70"],
        "insights_cell": ["fillfactor=50"],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("values", "sql_type"),
    [
        (["small", "", "difference", "small"], "varchar"),
        (['say "hi"', "back\\slash", "", "{braces}, commas"], "varchar"),
        (["plain", None, "NULL"], "varchar"),
        ([1, None, 3], "bigint"),
        ([1.5, 2, 0.0], "double precision"),
        ([date(2026, 12, 1), date(2026, 11, 30)], "date"),
    ],
)
def test_rows_sent_as_array_literals_come_back_as_they_were(
    values: list[object], sql_type: str
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's arrays")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT CAST(%s AS {sql_type}[])", [rollups._array_text(values)])
        assert cursor.fetchone()[0] == values
