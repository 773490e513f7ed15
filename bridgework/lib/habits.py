"""Habit rules with no Django: periods of a cadence, a forgiving habit score, and levels.

The score follows the idea behind habit-strength models: every period nudges it towards
what happened (kept = 1, partly = 0.5, missed = 0), so practice raises it and one missed
week lowers it only a little. Paused periods are skipped: a pause never costs anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum


class Cadence(StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    WEEKDAYS = "weekdays"
    CUE = "cue"  # "after my weekly 1:1": checked in on whenever it happens, counted weekly


class Outcome(StrEnum):
    DONE = "done"
    PARTLY = "partly"
    NOT_YET = "not_yet"


OUTCOME_VALUE = {Outcome.DONE: 1.0, Outcome.PARTLY: 0.5, Outcome.NOT_YET: 0.0}
# How far one period moves the score towards what happened: high enough that a month of
# practice shows, low enough that one miss after a good run is a dip, not a reset.
STEP = 0.3
LEVEL_THRESHOLD = 3
TOP_LEVEL = 4


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def period_start(
    cadence: Cadence, day: date, *, started: date, weekdays: frozenset[int] = frozenset()
) -> date | None:
    """The start of the period that `day` falls in, or None when there is none yet."""
    if day < started:
        return None
    if cadence is Cadence.ONCE:
        return started
    if cadence is Cadence.DAILY:
        return day
    if cadence is Cadence.WEEKDAYS:
        # The most recent chosen day: Wednesday's check-in can still be made on Thursday.
        for back in range(7):
            candidate = day - timedelta(days=back)
            if candidate < started:
                return None
            if candidate.weekday() in weekdays:
                return candidate
        return None
    return week_start(day)


def periods(
    cadence: Cadence, *, started: date, until: date, weekdays: frozenset[int] = frozenset()
) -> list[date]:
    """Every period start from `started` up to and including the period containing `until`."""
    if until < started:
        return []
    if cadence is Cadence.ONCE:
        return [started]
    if cadence is Cadence.DAILY:
        return [started + timedelta(days=n) for n in range((until - started).days + 1)]
    if cadence is Cadence.WEEKDAYS:
        return [
            started + timedelta(days=n)
            for n in range((until - started).days + 1)
            if (started + timedelta(days=n)).weekday() in weekdays
        ]
    first, last = week_start(started), week_start(until)
    return [first + timedelta(weeks=n) for n in range((last - first).days // 7 + 1)]


@dataclass(frozen=True)
class HabitState:
    score: float  # 0..1
    kept_in_a_row: int  # recent periods kept (done or partly), one missed period forgiven
    periods_counted: int

    @property
    def percent(self) -> int:
        return round(self.score * 100)


def habit_state(
    period_starts: Iterable[date],
    outcomes: Mapping[date, Outcome],
    *,
    current: date | None,
    paused: Iterable[date] = (),
) -> HabitState:
    """Fold the periods into a score.

    `current` is the period still running: it counts only once checked in, so an
    unfinished week never drags the score down. Paused periods are skipped entirely.
    """
    skipped = set(paused)
    score, counted, run, forgiven = 0.0, 0, 0, False
    for start in sorted(period_starts):
        if start in skipped:
            continue
        outcome = outcomes.get(start)
        if outcome is None and start == current:
            continue
        value = OUTCOME_VALUE[outcome] if outcome is not None else 0.0
        score += STEP * (value - score)
        counted += 1
        if value > 0:
            run, forgiven = run + 1, False
        elif run and not forgiven:
            forgiven = True  # one miss is forgiven: the run goes on; two in a row end it
        else:
            run, forgiven = 0, False
    return HabitState(score=max(0.0, min(1.0, score)), kept_in_a_row=run, periods_counted=counted)


def unlocked_level(kept_by_courage: Mapping[int, int]) -> int:
    """Start small and level up: keeping LEVEL_THRESHOLD check-ins at your highest unlocked
    level (or above) unlocks the next, up to the accomplice level."""
    level = 1
    while level < TOP_LEVEL:
        kept_here = sum(count for courage, count in kept_by_courage.items() if courage >= level)
        if kept_here < LEVEL_THRESHOLD:
            break
        level += 1
    return level
