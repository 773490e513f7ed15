"""Writes of the practice loop: assessments, plans, commitments, check-ins, pauses."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts import registry
from bridgework.accounts.models import Person
from bridgework.curriculum.api import Practice, Tip
from bridgework.lib.habits import Cadence, HabitState, Outcome, habit_state, periods
from bridgework.lib.habits import unlocked_level as level_from_counts
from bridgework.lib.prepared import prepared

from . import assessment
from .models import ActionPlan, Assessment, Capacity, CheckIn, Commitment, PracticeProfile
from .models import local_today as local_today  # where the practice pages and tests ask for it


def profile_for(person: Person) -> PracticeProfile:
    found = _profile_of(person_id=person.pk).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PracticeProfile.objects.create(person=person)
    except IntegrityError:  # made meanwhile, by another request of theirs
        return PracticeProfile.objects.get(person=person)


@prepared
def _profile_of(*, person_id: int) -> QuerySet[PracticeProfile]:
    return PracticeProfile.objects.filter(person_id=person_id)


@transaction.atomic
def take_assessment(*, person: Person, answers: dict[str, int], defense: str) -> Assessment:
    known = {item.key for item in assessment.ITEMS}
    if set(answers) - known or any(not 0 <= value <= 4 for value in answers.values()):
        raise ValidationError(_("Some answers are not part of this assessment."))
    if defense not in {d.slug for d in assessment.DEFENSES}:
        raise ValidationError(_("Choose one of the four defenses."))
    saved = Assessment.objects.create(person=person, answers=answers, defense=defense)
    # Whoever listens (insights) hears the practice-level scores only, never item answers.
    registry.assessment_taken(
        registry.AssessmentTaken(
            person=person, scores=assessment.practice_scores(answers), taken_at=saved.taken_at
        )
    )
    return saved


def latest_assessment(person: Person) -> Assessment | None:
    return _assessments_of(person_id=person.pk).first()


@prepared
def _assessments_of(*, person_id: int) -> QuerySet[Assessment]:
    return Assessment.objects.filter(person_id=person_id).order_by("-taken_at")


def save_plan(*, person: Person, defense: str, **answers: str) -> ActionPlan:
    plan = ActionPlan(person=person, defense=defense, **answers)
    plan.save()
    return plan


def set_capacity(*, person: Person, capacity: str) -> None:
    profile = profile_for(person)
    profile.capacity = Capacity(capacity)
    profile.capacity_updated_at = timezone.now()
    profile.save(update_fields=["capacity", "capacity_updated_at"])


def kept_by_courage(person: Person) -> dict[int, int]:
    return dict(_kept_by_courage(person_id=person.pk))


@prepared
def _kept_by_courage(*, person_id: int) -> QuerySet[CheckIn, tuple[int, int]]:
    return (
        CheckIn.objects.filter(person_id=person_id, outcome=Outcome.DONE)
        .values_list("commitment__courage")
        .annotate(n=Count("pk"))
        .values_list("commitment__courage", "n")
    )


@prepared
def commitments_of(*, person_id: int) -> QuerySet[Commitment]:
    return Commitment.objects.filter(person_id=person_id)


@prepared
def check_ins_of_current(*, person_id: int) -> QuerySet[CheckIn]:
    """The check-ins of the person's commitments that are not finished (active or paused)."""
    return CheckIn.objects.filter(person_id=person_id).exclude(
        commitment__status=Commitment.Status.FINISHED
    )


@prepared
def plans_of(*, person_id: int) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(person_id=person_id)


def unlocked_level(person: Person) -> int:
    return level_from_counts(kept_by_courage(person))


@transaction.atomic
def commit(
    *,
    person: Person,
    title: str,
    practice: str,
    courage: int,
    cadence: str,
    weekdays: list[int] | None = None,
    cue: str = "",
    tip: Tip | None = None,
) -> Commitment:
    if practice not in Practice.values:
        raise ValidationError({"practice": _("Choose one of the seven practices.")})
    cadence_value = Cadence(cadence)
    if cadence_value is Cadence.WEEKDAYS and not weekdays:
        raise ValidationError({"weekdays": _("Choose at least one day.")})
    if cadence_value is Cadence.CUE and not cue.strip():
        raise ValidationError({"cue": _("Say what the cue is, e.g. “after my weekly 1:1”.")})
    return Commitment.objects.create(
        person=person,
        tip=tip,
        title=title,
        practice=practice,
        courage=courage,
        cadence=cadence_value,
        weekdays=",".join(str(d) for d in sorted(set(weekdays or []))),
        cue=cue.strip() or None,
        started_on=local_today(person),
        created_at=timezone.now(),
    )


def _period_of(commitment: Commitment, on: date | None) -> date:
    today = local_today(commitment.person)
    # A chat button or a reminder link names its period; none names one to come. Two days
    # of slack: a day made in one time zone can be up to two ahead of another's (UTC+14
    # and UTC-12), and a person or organisation may change zones after a reminder went out.
    if on is not None and on > today + timedelta(days=2):
        raise ValidationError(_("You can check in only on a day that has come."))
    period = commitment.period_on(on or today)
    if period is None:
        raise ValidationError(_("There is nothing to check in on today for this commitment."))
    return period


def _finish_if_done_once(commitment: Commitment, value: Outcome) -> None:
    if commitment.cadence_enum is Cadence.ONCE and value is Outcome.DONE:
        commitment.finish()


def check_in_of(commitment: Commitment, on: date) -> CheckIn | None:
    """The check-in already recorded for the period that `on` falls in, if any."""
    period = commitment.period_on(on)
    if period is None:
        return None
    return CheckIn.objects.filter(commitment=commitment, period_start=period).first()


@transaction.atomic
def check_in(
    *, commitment: Commitment, outcome: str, note: str | None = "", on: date | None = None
) -> CheckIn:
    """Record (or correct) this period's check-in. A once-only commitment that is done ends.
    A note of None keeps the note already there."""
    period = _period_of(commitment, on)
    value = Outcome(outcome)
    existing = CheckIn.objects.filter(commitment=commitment, period_start=period).first()
    row = existing or CheckIn(commitment=commitment, period_start=period, person=commitment.person)
    row.outcome = value
    if note is not None:
        row.note = note.strip() or None
    row.created_at = timezone.now()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        # A second tab checked in at the same moment: keep the latest answer.
        kept = CheckIn.objects.get(commitment=commitment, period_start=period)
        kept.outcome = value
        if note is not None:
            kept.note = note.strip() or None
        kept.save()
        row = kept
    _finish_if_done_once(commitment, value)
    _recorded(commitment, period)
    return row


def _recorded(commitment: Commitment, period: date) -> None:
    registry.check_in_recorded(
        registry.CheckInRecorded(
            person_id=commitment.person_id, commitment_id=commitment.pk, period=period
        )
    )


@transaction.atomic
def check_in_by_link(*, commitment: Commitment, outcome: str, on: date) -> tuple[CheckIn, bool]:
    """A check-in through a reminder's signed link, which anyone holding the e-mail can use:
    it records the period's check-in once, never changes one already there, and never
    writes a note. Returns the period's check-in and whether this call made it."""
    period = _period_of(commitment, on)
    existing = CheckIn.objects.filter(commitment=commitment, period_start=period).first()
    if existing is not None:
        return existing, False
    value = Outcome(outcome)
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                commitment=commitment, period_start=period, person=commitment.person, outcome=value
            )
    except IntegrityError:
        # The same link pressed twice at once: the first press counts.
        return CheckIn.objects.get(commitment=commitment, period_start=period), False
    _finish_if_done_once(commitment, value)
    _recorded(commitment, period)
    return row, True


def history_of(commitment: Commitment) -> list[CheckIn]:
    """Every check-in of a commitment, newest period first, notes included (for its owner)."""
    return list(CheckIn.objects.filter(commitment=commitment).order_by("-period_start"))


@dataclass(frozen=True)
class CommitmentProgress:
    commitment: Commitment
    state: HabitState
    this_period: date | None
    checked_in: CheckIn | None


def progress_of(
    commitments: list[Commitment], today: date, read: Iterable[CheckIn] | None = None
) -> list[CommitmentProgress]:
    """Habit state of each commitment, from one query for all their check-ins (or from
    `read`, check-ins already read that include theirs)."""
    check_ins: dict[int, dict[date, CheckIn]] = {}
    if read is None:
        read = CheckIn.objects.filter(commitment__in=[c.pk for c in commitments])
    for row in read:
        check_ins.setdefault(row.commitment_id, {})[row.period_start] = row
    result = []
    for commitment in commitments:
        rows = check_ins.get(commitment.pk, {})
        this_period = commitment.period_on(today)
        paused = commitment.paused_dates
        if commitment.status == Commitment.Status.PAUSED and commitment.paused_on:
            paused |= set(
                periods(
                    commitment.cadence_enum,
                    started=commitment.paused_on,
                    until=today,
                    weekdays=commitment.weekday_set,
                )
            ) - set(rows)
        state = habit_state(
            periods(
                commitment.cadence_enum,
                started=commitment.started_on,
                until=today,
                weekdays=commitment.weekday_set,
            ),
            {start: Outcome(row.outcome) for start, row in rows.items()},
            current=this_period,
            paused=paused,
        )
        result.append(
            CommitmentProgress(
                commitment, state, this_period, rows.get(this_period) if this_period else None
            )
        )
    return result
