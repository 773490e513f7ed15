"""Habit rules: the periods of each cadence, a forgiving habit score, levels, and the local
day a person lives in (time zones and daylight-saving changes included)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone
from hypothesis import assume, given
from hypothesis import strategies as st

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.habits import (
    LEVEL_THRESHOLD,
    TOP_LEVEL,
    Cadence,
    HabitState,
    Outcome,
    habit_state,
    period_start,
    periods,
    unlocked_level,
)
from bridgework.practice import services

from .conftest import Clock, on_calendar_edges

MONDAY = 0
NEW_YORK = "America/New_York"

days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
cadences = st.sampled_from(list(Cadence))
weekday_sets = st.frozensets(st.integers(min_value=0, max_value=6), min_size=1)
# One entry per period, oldest first: what was checked in, or None for nothing at all.
answers = st.sampled_from([Outcome.DONE, Outcome.PARTLY, Outcome.NOT_YET, None])
histories = st.lists(answers, max_size=40)
kept = st.sampled_from([Outcome.DONE, Outcome.PARTLY])
courage_levels = st.integers(min_value=1, max_value=TOP_LEVEL)
kept_counts = st.dictionaries(courage_levels, st.integers(min_value=0, max_value=30))


def weeks(count: int, first: date = date(2024, 1, 1)) -> list[date]:
    """`count` consecutive weekly periods (the first is a Monday)."""
    return [first + timedelta(weeks=n) for n in range(count)]


def state_of(
    history: Sequence[Outcome | None],
    *,
    current_checked: bool = False,
    paused: Sequence[int] = (),
) -> HabitState:
    """The habit state of weekly periods with these answers; the last one is the running
    period when `current_checked` says so."""
    starts = weeks(len(history))
    outcomes = {start: answer for start, answer in zip(starts, history, strict=True) if answer}
    current = starts[-1] if current_checked and starts else None
    return habit_state(starts, outcomes, current=current, paused=[starts[i] for i in paused])


# --- Periods ----------------------------------------------------------------------------


@given(started=days, length=st.integers(min_value=0, max_value=120))
def test_weekly_periods_are_consecutive_mondays_covering_the_whole_span(
    started: date, length: int
) -> None:
    until = started + timedelta(days=length)

    starts = periods(Cadence.WEEKLY, started=started, until=until)

    assert all(start.weekday() == MONDAY for start in starts)
    assert starts[0] <= started < starts[0] + timedelta(days=7)
    assert starts[-1] <= until < starts[-1] + timedelta(days=7)
    assert all(b - a == timedelta(days=7) for a, b in pairwise(starts))


@given(started=days, length=st.integers(min_value=0, max_value=120))
def test_daily_periods_are_every_day_from_the_start(started: date, length: int) -> None:
    until = started + timedelta(days=length)

    starts = periods(Cadence.DAILY, started=started, until=until)

    assert starts == [started + timedelta(days=n) for n in range(length + 1)]


@given(started=days, length=st.integers(min_value=0, max_value=120), chosen=weekday_sets)
def test_weekday_periods_are_exactly_the_chosen_days(
    started: date, length: int, chosen: frozenset[int]
) -> None:
    until = started + timedelta(days=length)

    starts = periods(Cadence.WEEKDAYS, started=started, until=until, weekdays=chosen)

    every_day = [started + timedelta(days=n) for n in range(length + 1)]
    assert starts == [day for day in every_day if day.weekday() in chosen]


@given(started=days, length=st.integers(min_value=0, max_value=400))
def test_a_once_commitment_has_a_single_period(started: date, length: int) -> None:
    until = started + timedelta(days=length)

    assert periods(Cadence.ONCE, started=started, until=until) == [started]


@given(cadence=cadences, started=days, before=st.integers(min_value=1, max_value=60))
def test_there_are_no_periods_and_no_current_period_before_the_start(
    cadence: Cadence, started: date, before: int
) -> None:
    earlier = started - timedelta(days=before)

    assert periods(cadence, started=started, until=earlier, weekdays=frozenset({0})) == []
    assert period_start(cadence, earlier, started=started, weekdays=frozenset({0})) is None


@given(cadence=cadences, started=days, length=st.integers(0, 90), chosen=weekday_sets)
def test_the_current_period_is_the_latest_period_so_far(
    cadence: Cadence, started: date, length: int, chosen: frozenset[int]
) -> None:
    day = started + timedelta(days=length)

    current = period_start(cadence, day, started=started, weekdays=chosen)
    so_far = periods(cadence, started=started, until=day, weekdays=chosen)

    assert current == (so_far[-1] if so_far else None)


@given(started=days, length=st.integers(0, 90), chosen=weekday_sets)
def test_on_chosen_days_the_period_is_the_most_recent_chosen_day(
    started: date, length: int, chosen: frozenset[int]
) -> None:
    day = started + timedelta(days=length)

    current = period_start(Cadence.WEEKDAYS, day, started=started, weekdays=chosen)

    if current is None:
        # No chosen day yet since the start.
        assert all((started + timedelta(days=n)).weekday() not in chosen for n in range(length + 1))
    else:
        assert current.weekday() in chosen
        assert started <= current <= day
        between = [current + timedelta(days=n) for n in range(1, (day - current).days + 1)]
        assert all(later.weekday() not in chosen for later in between)


def test_wednesdays_check_in_can_still_be_made_on_thursday() -> None:
    wednesday, thursday = date(2025, 3, 5), date(2025, 3, 6)
    chosen = frozenset({wednesday.weekday(), date(2025, 3, 7).weekday()})  # Wed and Fri

    assert (
        period_start(Cadence.WEEKDAYS, thursday, started=date(2025, 3, 3), weekdays=chosen)
        == wednesday
    )
    assert period_start(Cadence.WEEKDAYS, thursday, started=thursday, weekdays=chosen) is None, (
        "a chosen day before the start is not a period"
    )


# --- The forgiving habit score ------------------------------------------------------------


@given(history=histories, current_checked=st.booleans())
def test_the_score_is_always_between_0_and_1(
    history: list[Outcome | None], current_checked: bool
) -> None:
    state = state_of(history, current_checked=current_checked)

    assert 0.0 <= state.score <= 1.0
    assert 0 <= state.percent <= 100
    assert 0 <= state.kept_in_a_row <= state.periods_counted <= len(history)


def test_nothing_checked_in_yet_is_a_score_of_0() -> None:
    assert state_of([]) == HabitState(score=0.0, kept_in_a_row=0, periods_counted=0)


@given(history=histories)
def test_a_done_period_never_lowers_the_score_and_raises_it_below_the_top(
    history: list[Outcome | None],
) -> None:
    before = state_of(history).score
    after = state_of([*history, Outcome.DONE]).score

    assert after >= before
    if before < 0.99:
        assert after > before


@given(history=histories)
def test_a_partly_period_raises_a_score_below_one_half(history: list[Outcome | None]) -> None:
    before = state_of(history).score
    assume(before < 0.49)

    assert state_of([*history, Outcome.PARTLY]).score > before


@given(run=st.lists(kept, min_size=3, max_size=30), missed=st.sampled_from([None, Outcome.NOT_YET]))
def test_one_missed_period_after_a_good_run_is_a_small_dip_never_a_reset(
    run: list[Outcome], missed: Outcome | None
) -> None:
    before = state_of(run)
    after = state_of([*run, missed])

    assert 0.0 < after.score < before.score
    assert after.score > before.score / 2
    assert before.score - after.score < 0.5
    # ... and the next kept period wins much of it back.
    assert state_of([*run, missed, Outcome.DONE]).score > after.score


@given(history=histories, ending=kept)
def test_kept_in_a_row_survives_one_missed_period(
    history: list[Outcome | None], ending: Outcome
) -> None:
    before = state_of([*history, ending]).kept_in_a_row

    after_a_miss = state_of([*history, ending, None]).kept_in_a_row
    after_a_miss_and_a_keep = state_of([*history, ending, None, ending]).kept_in_a_row

    assert before >= 1
    assert after_a_miss == before
    assert after_a_miss_and_a_keep == before + 1


@given(history=histories, ending=kept)
def test_kept_in_a_row_does_not_survive_two_missed_periods_in_a_row(
    history: list[Outcome | None], ending: Outcome
) -> None:
    assert state_of([*history, ending, None, Outcome.NOT_YET]).kept_in_a_row == 0
    assert state_of([*history, ending, None, None, ending]).kept_in_a_row == 1


def test_missing_once_now_and_then_keeps_the_run_going() -> None:
    history: list[Outcome | None] = [Outcome.DONE] * 4 + [None] + [Outcome.DONE] * 4 + [None]

    assert state_of(history).kept_in_a_row == 8


@given(history=histories)
def test_the_running_period_counts_only_once_checked_in(history: list[Outcome | None]) -> None:
    unfinished = state_of([*history, None], current_checked=True)

    assert unfinished == state_of(history)

    done = state_of([*history, Outcome.DONE], current_checked=True)
    assert done.periods_counted == unfinished.periods_counted + 1
    assert done.score >= unfinished.score


@given(
    history=st.lists(answers, min_size=1, max_size=30),
    data=st.data(),
)
def test_paused_periods_never_change_the_score(
    history: list[Outcome | None], data: st.DataObject
) -> None:
    paused = data.draw(st.sets(st.integers(min_value=0, max_value=len(history) - 1)))
    starts = weeks(len(history))
    outcomes = {start: answer for start, answer in zip(starts, history, strict=True) if answer}

    with_pause = habit_state(starts, outcomes, current=None, paused=[starts[i] for i in paused])
    without_those_periods = habit_state(
        [start for i, start in enumerate(starts) if i not in paused], outcomes, current=None
    )

    assert with_pause == without_those_periods


@given(history=histories, data=st.data())
def test_a_pause_inserted_anywhere_costs_nothing(
    history: list[Outcome | None], data: st.DataObject
) -> None:
    where = data.draw(st.integers(min_value=0, max_value=len(history)), label="where")
    length = data.draw(st.integers(min_value=1, max_value=12), label="length")
    with_a_pause = [*history[:where], *[None] * length, *history[where:]]

    assert state_of(with_a_pause, paused=range(where, where + length)) == state_of(history)


# --- Levels --------------------------------------------------------------------------------


def test_everyone_starts_at_level_1() -> None:
    assert unlocked_level({}) == 1


def test_three_done_check_ins_at_level_1_unlock_level_2() -> None:
    assert unlocked_level({1: LEVEL_THRESHOLD - 1}) == 1
    assert unlocked_level({1: LEVEL_THRESHOLD}) == 2
    assert unlocked_level({1: LEVEL_THRESHOLD * 50}) == 2, "level 2 needs practice at level 2"


@given(counts=kept_counts)
def test_the_level_is_never_below_1_nor_above_the_accomplice_level(
    counts: dict[int, int],
) -> None:
    assert 1 <= unlocked_level(counts) <= TOP_LEVEL


@given(counts=kept_counts, courage=courage_levels)
def test_another_done_check_in_never_lowers_the_level(counts: dict[int, int], courage: int) -> None:
    more = {**counts, courage: counts.get(courage, 0) + 1}

    assert unlocked_level(more) >= unlocked_level(counts)


@given(courage=st.integers(min_value=2, max_value=TOP_LEVEL))
def test_check_ins_at_a_higher_level_count_for_the_lower_thresholds(courage: int) -> None:
    assert unlocked_level({courage: LEVEL_THRESHOLD}) == min(courage + 1, TOP_LEVEL)
    assert unlocked_level({1: LEVEL_THRESHOLD - 1, courage: 1}) == 2


# --- Time zones and daylight-saving time ----------------------------------------------------


def at(moment: datetime) -> AbstractContextManager[object]:
    return mock.patch("django.utils.timezone.now", return_value=moment)


def local_evening(day: date, zone: str, hour: int = 23, minute: int = 30) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ZoneInfo(zone))


@pytest.fixture
def new_yorker(participant: Person) -> Person:
    participant.time_zone = NEW_YORK
    participant.save(update_fields=["time_zone"])
    return participant


@pytest.mark.parametrize(
    "change_day",
    [date(2025, 3, 9), date(2025, 11, 2)],
    ids=["clocks-go-forward", "clocks-go-back"],
)
def test_a_late_evening_commitment_on_a_dst_change_day_lands_in_the_local_week(
    new_yorker: Person, change_day: date
) -> None:
    moment = local_evening(change_day, NEW_YORK)
    assert moment.astimezone(UTC).date() > change_day, "already the next day in UTC"
    assert moment.utcoffset() != local_evening(change_day - timedelta(days=1), NEW_YORK).utcoffset()

    with at(moment.astimezone(UTC)):
        assert timezone.now().date() != change_day
        commitment = services.commit(
            person=new_yorker,
            title="Ask whose voice is missing",
            practice="deep-curiosity",
            courage=1,
            cadence=Cadence.WEEKLY,
        )
        check_in = services.check_in(commitment=commitment, outcome=Outcome.DONE)

    assert commitment.started_on == change_day
    assert check_in.period_start == change_day - timedelta(days=change_day.weekday())
    assert check_in.period_start.weekday() == MONDAY
    assert check_in.period_start < change_day


def test_local_today_follows_the_persons_zone_not_the_servers() -> None:
    moment = datetime(2025, 3, 10, 3, 30, tzinfo=UTC)  # Sunday 23:30 in New York
    with at(moment):
        assert services.local_today(Person(time_zone=NEW_YORK)) == date(2025, 3, 9)
        assert services.local_today(Person(time_zone="Asia/Tokyo")) == date(2025, 3, 10)
        assert services.local_today(Person(time_zone="UTC")) == date(2025, 3, 10)


def test_without_a_zone_of_their_own_a_person_lives_by_their_organisations() -> None:
    moment = datetime(2025, 3, 10, 3, 30, tzinfo=UTC)
    with at(moment):
        tokyo = Organisation(name="Tokyo office", time_zone="Asia/Tokyo")
        assert services.local_today(Person(organisation=tokyo)) == date(2025, 3, 10)
        new_york = Organisation(name="New York office", time_zone=NEW_YORK)
        assert services.local_today(Person(organisation=new_york)) == date(2025, 3, 9)


def test_an_unknown_zone_falls_back_to_utc() -> None:
    moment = datetime(2025, 3, 10, 3, 30, tzinfo=UTC)
    with at(moment):
        assert services.local_today(Person(time_zone="Mars/Olympus")) == moment.date()


# --- On the calendar's edges ----------------------------------------------------------------


def living_in_the_clocks_zone(person: Person) -> Person:
    person.time_zone = settings.TIME_ZONE
    person.save(update_fields=["time_zone"])
    return person


@on_calendar_edges
def test_daily_check_ins_across_a_calendar_edge_land_on_their_local_days_and_keep_the_run(
    participant: Person, clock: Clock
) -> None:
    living_in_the_clocks_zone(participant)
    today = services.local_today(participant)
    commitment = services.commit(
        person=participant,
        title="Credit the idea",
        practice="deep-curiosity",
        courage=1,
        cadence=Cadence.DAILY,
    )
    first = services.check_in(commitment=commitment, outcome=Outcome.DONE)
    clock.advance(timedelta(days=1))
    second = services.check_in(commitment=commitment, outcome=Outcome.PARTLY)

    assert [first.period_start, second.period_start] == [today, today + timedelta(days=1)]
    [progress] = services.progress_of([commitment], services.local_today(participant))
    assert progress.this_period == today + timedelta(days=1)
    assert progress.checked_in == second
    assert progress.state.kept_in_a_row == 2
    assert progress.state.periods_counted == 2


@on_calendar_edges
def test_a_weekly_habit_on_a_calendar_edge_counts_in_its_local_week_and_the_next(
    participant: Person, clock: Clock
) -> None:
    living_in_the_clocks_zone(participant)
    today = services.local_today(participant)
    this_monday = today - timedelta(days=today.weekday())
    commitment = services.commit(
        person=participant,
        title="Ask who is missing",
        practice="deep-curiosity",
        courage=1,
        cadence=Cadence.WEEKLY,
    )
    first = services.check_in(commitment=commitment, outcome=Outcome.DONE)
    clock.advance(timedelta(weeks=1))
    second = services.check_in(commitment=commitment, outcome=Outcome.DONE)

    assert [first.period_start, second.period_start] == [
        this_monday,
        this_monday + timedelta(weeks=1),
    ]
    [progress] = services.progress_of([commitment], services.local_today(participant))
    assert progress.state.kept_in_a_row == 2
    assert services.unlocked_level(participant) == 1
