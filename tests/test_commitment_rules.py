"""A commitment's own rules: which period a day falls in, and how pausing, resuming,
finishing and taking it up again move it between active, paused and finished.

Every day here is given, never read from the clock, so the rules hold on any date."""

from __future__ import annotations

from datetime import date, timedelta

from bridgework.accounts.models import Person
from bridgework.curriculum.vocabulary import Practice
from bridgework.lib.habits import Cadence, Outcome
from bridgework.practice.models import CheckIn, Commitment

# A Monday: weekly periods start on Mondays.
MONDAY = date(2026, 3, 2)
Status = Commitment.Status


def weekly(person: Person, started_on: date = MONDAY) -> Commitment:
    return Commitment.objects.create(
        person=person,
        title="Ask one more question before I answer",
        practice=Practice.DEEP_CURIOSITY,
        courage=1,
        cadence=Cadence.WEEKLY,
        started_on=started_on,
    )


def week(n: int) -> date:
    """The Monday n weeks after MONDAY."""
    return MONDAY + timedelta(weeks=n)


def saved(commitment: Commitment) -> Commitment:
    return Commitment.objects.get(pk=commitment.pk)


def test_a_day_falls_in_the_week_that_holds_it_and_none_before_the_start(
    participant: Person,
) -> None:
    commitment = weekly(participant, started_on=MONDAY + timedelta(days=2))
    assert commitment.period_on(MONDAY) is None
    assert commitment.period_on(MONDAY + timedelta(days=2)) == MONDAY
    assert commitment.period_on(week(1) + timedelta(days=6)) == week(1)


def test_pausing_an_active_commitment_remembers_the_day_it_paused(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1))
    assert (saved(commitment).status, saved(commitment).paused_on) == (Status.PAUSED, week(1))


def test_pausing_again_or_pausing_a_finished_commitment_changes_nothing(
    participant: Person,
) -> None:
    paused = weekly(participant)
    paused.pause(week(1))
    paused.pause(week(2))
    assert saved(paused).paused_on == week(1)
    finished = weekly(participant)
    finished.finish(week(1))
    finished.pause(week(2))
    assert (saved(finished).status, saved(finished).paused_on) == (Status.FINISHED, week(1))


def test_resuming_skips_the_weeks_spent_paused_but_not_the_week_you_come_back_in(
    participant: Person,
) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1) + timedelta(days=3))
    commitment.resume(week(4) + timedelta(days=1))
    after = saved(commitment)
    assert (after.status, after.paused_on) == (Status.ACTIVE, None)
    assert after.paused_dates == {week(1), week(2), week(3)}


def test_a_week_checked_in_while_paused_still_counts(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1))
    CheckIn.objects.create(
        commitment=commitment, person=participant, period_start=week(2), outcome=Outcome.DONE
    )
    commitment.resume(week(3))
    assert saved(commitment).paused_dates == {week(1)}


def test_pauses_add_up(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1))
    commitment.resume(week(2))
    commitment.pause(week(4))
    commitment.resume(week(5))
    assert saved(commitment).paused_dates == {week(1), week(4)}


def test_only_a_paused_commitment_resumes(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.resume(week(3))
    assert (saved(commitment).status, saved(commitment).paused_periods) == (Status.ACTIVE, [])


def test_finishing_keeps_the_day_it_stopped_and_finishing_twice_changes_nothing(
    participant: Person,
) -> None:
    commitment = weekly(participant)
    commitment.finish(week(2))
    commitment.finish(week(5))
    assert (saved(commitment).status, saved(commitment).paused_on) == (Status.FINISHED, week(2))


def test_a_paused_commitment_finishes_from_the_day_it_paused(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1))
    commitment.finish(week(3))
    assert (saved(commitment).status, saved(commitment).paused_on) == (Status.FINISHED, week(1))


def test_taking_it_up_again_skips_the_time_it_spent_finished(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.finish(week(1))
    commitment.take_up_again(week(4))
    after = saved(commitment)
    assert (after.status, after.paused_on) == (Status.ACTIVE, None)
    assert after.paused_dates == {week(1), week(2), week(3)}


def test_only_a_finished_commitment_is_taken_up_again(participant: Person) -> None:
    commitment = weekly(participant)
    commitment.pause(week(1))
    commitment.take_up_again(week(3))
    assert (saved(commitment).status, saved(commitment).paused_on) == (Status.PAUSED, week(1))
