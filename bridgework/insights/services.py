"""Writes of the insights app: growth inputs, the safety pulse, erasure and audit rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.accounts.registry import AssessmentTaken
from bridgework.cohorts.api import Cohort, Membership
from bridgework.lib.prepared import prepared

from . import counts, privacy_settings
from .models import (
    AuditEntry,
    GrowthScore,
    PrivacyBudget,
    SafetyAnswer,
    SafetyPulse,
    SafetyResponse,
)
from .pulse import ITEM_FIELDS
from .releases import first_of, next_month
from .subjects import subject_key

SAFETY_MONTH_FULL = gettext_lazy(
    "You have answered as many pulses closing this month as count in one month. Thank you: "
    "this one is not needed, and nothing is lost by leaving it."
)


@transaction.atomic
def record_assessment(*, person: Person, scores: Mapping[str, float], taken_at: datetime) -> None:
    """Keep the practice-level scores of an assessment just saved: the first becomes the
    baseline, every later one the latest. Heard from practice (assessment_taken below); never
    given item answers. One row for the organisation and one per cohort the person is in."""
    organisation = person.organisation
    if organisation is None or not scores:
        return
    subject = subject_key(person.pk)
    # On the organisation's calendar, as the months it is released by.
    on = timezone.localtime(taken_at, organisation.clock).date()
    cohorts: list[int | None] = [
        None,
        *Membership.objects.filter(person=person, status=Membership.Status.MEMBER).values_list(
            "cohort_id", flat=True
        ),
    ]
    for cohort_id in cohorts:
        for practice, score in scores.items():
            row = GrowthScore.objects.filter(
                Q(cohort_id=cohort_id),
                organisation_id=organisation.pk,
                subject=subject,
                practice=practice,
            ).first()
            if row is None:
                GrowthScore.objects.create(
                    organisation_id=organisation.pk,
                    cohort_id=cohort_id,
                    subject=subject,
                    practice=practice,
                    baseline=score,
                    latest=score,
                    baseline_on=on,
                    latest_on=on,
                )
            else:
                row.latest, row.latest_on = score, on
                row.assessments += 1
                row.changed_at = timezone.now()
                row.save(update_fields=["latest", "latest_on", "assessments", "changed_at"])


def assessment_taken(event: AssessmentTaken) -> None:
    """Listens to practice through the accounts registry (see apps.py)."""
    record_assessment(person=event.person, scores=event.scores, taken_at=event.taken_at)


def forget_person(person: Person) -> None:
    """Insights' erasure step: remove the person's growth rows (found by their subject key).
    Releases already made keep their noisy totals, which describe no one; pulse answers were
    never theirs to begin with."""
    GrowthScore.objects.filter(subject=subject_key(person.pk)).delete()


@transaction.atomic
def set_budget(*, organisation: Organisation, monthly_rho: float, changed_by: Person) -> None:
    """The program admin's monthly budget, from the next release on (within floor and
    ceiling; a release already made keeps what it spent)."""
    low, high = privacy_settings.floor_rho(), privacy_settings.ceiling_rho()
    if not low <= monthly_rho <= high:
        raise ValidationError(
            {
                "monthly_rho": gettext("Choose a budget from %(low)s to %(high)s.")
                % {"low": number_format(low), "high": number_format(high)}
            }
        )
    PrivacyBudget.objects.update_or_create(
        organisation=organisation,
        defaults={
            "monthly_rho": monthly_rho,
            "changed_by": changed_by,
            "changed_at": timezone.now(),
        },
    )


# --- the psychological-safety pulse -----------------------------------------------------------


def may_run_pulse(person: Person, cohort: Cohort | None) -> bool:
    if cohort is None:
        return person.is_program_admin
    return cohort.can_manage(person)


@transaction.atomic
def create_pulse(
    *,
    organisation: Organisation,
    created_by: Person,
    cohort: Cohort | None,
    opens_on: date,
    closes_on: date,
) -> SafetyPulse:
    if cohort is not None and cohort.organisation_id != organisation.pk:
        raise ValidationError({"cohort": gettext("Choose one of your cohorts.")})
    if not may_run_pulse(created_by, cohort):
        raise ValidationError(
            {"cohort": gettext("You can run a pulse only for cohorts you facilitate.")}
        )
    if closes_on < opens_on:
        raise ValidationError(
            {"closes_on": gettext("The pulse must close on or after the day it opens.")}
        )
    if _pulses_closing_in_month(organisation, cohort, closes_on) >= counts.SAFETY_CAP:
        raise ValidationError(
            {
                "closes_on": gettext(
                    "This audience already has as many pulses closing in that month as a "
                    "month counts. Choose a closing day in another month."
                )
            }
        )
    pulse = SafetyPulse(
        organisation=organisation,
        cohort=cohort,
        opens_on=opens_on,
        closes_on=closes_on,
        created_by=created_by,
    )
    pulse.full_clean()
    pulse.save()
    return pulse


def _pulses_closing_in_month(
    organisation: Organisation, cohort: Cohort | None, closes_on: date
) -> int:
    start = first_of(closes_on)
    return SafetyPulse.objects.filter(
        organisation=organisation,
        cohort=cohort,
        closes_on__gte=start,
        closes_on__lt=next_month(start),
    ).count()


def _kind_and_month(pulse: SafetyPulse) -> tuple[bool, date]:
    """What a person's answers are bounded by: the organisation's pulses, or cohorts' pulses
    (any cohort), closing in one month."""
    return pulse.cohort_id is None, pulse.closes_on.replace(day=1)


def _months_full(person: Person, pulses: list[SafetyPulse]) -> set[tuple[bool, date]]:
    """Of the pulses' kinds and months, those in which the person has answered as many
    pulses as a month counts (`counts.SAFETY_CAP`): insights' releases bound each person's
    anonymous answers by it, so a further answer is not asked for, and refused."""
    if not pulses:
        return set()
    closing = [p.closes_on for p in pulses]
    answered: Counter[tuple[bool, date]] = Counter(
        (cohort_id is None, closes_on.replace(day=1))
        for cohort_id, closes_on in SafetyResponse.objects.filter(
            person=person,
            pulse__closes_on__gte=first_of(min(closing)),
            pulse__closes_on__lt=next_month(max(closing)),
        ).values_list("pulse__cohort_id", "pulse__closes_on")
    )
    return {key for key, n in answered.items() if n >= counts.SAFETY_CAP}


def month_full_for(person: Person, pulse: SafetyPulse) -> bool:
    return _kind_and_month(pulse) in _months_full(person, [pulse])


def open_pulses_for(person: Person, today: date | None = None) -> list[SafetyPulse]:
    """Open pulses the person is invited to and has not answered yet, in months where their
    answer still counts."""
    organisation = person.organisation
    if organisation is None or not person.is_participant:
        return []
    today = today or organisation.today()
    pulses = list(
        _open_unanswered(person_id=person.pk, organisation_id=organisation.pk, today=today)
    )
    full = _months_full(person, pulses)
    return [p for p in pulses if _kind_and_month(p) not in full]


@prepared
def _open_unanswered(*, person_id: int, organisation_id: int, today: date) -> QuerySet[SafetyPulse]:
    mine = Membership.objects.filter(person_id=person_id, status=Membership.Status.MEMBER)
    answered = SafetyResponse.objects.filter(person_id=person_id).values("pulse_id")
    return (
        SafetyPulse.objects.filter(
            Q(cohort__isnull=True) | Q(cohort_id__in=mine.values("cohort_id")),
            organisation_id=organisation_id,
            opens_on__lte=today,
            closes_on__gte=today,
        )
        .exclude(pk__in=answered)
        .select_related("cohort")
    )


def invited(person: Person, pulse: SafetyPulse) -> bool:
    if person.organisation_id != pulse.organisation_id or not person.has_role(Role.PARTICIPANT):
        return False
    if pulse.cohort_id is None:
        return True
    return Membership.objects.filter(
        person=person, cohort_id=pulse.cohort_id, status=Membership.Status.MEMBER
    ).exists()


@transaction.atomic
def answer_pulse(
    *, pulse: SafetyPulse, person: Person, answers: Mapping[str, int], today: date | None = None
) -> bool:
    """Record that the person answered and, apart from that, what was answered. False when
    they had answered already (the first answer stands)."""
    organisation = person.organisation
    if organisation is None or not invited(person, pulse):
        raise ValidationError(gettext("This pulse is not for you."))
    if not pulse.is_open(today or organisation.today()):
        raise ValidationError(gettext("This pulse is not open."))
    if set(answers) != set(ITEM_FIELDS) or any(not 1 <= v <= 5 for v in answers.values()):
        raise ValidationError(gettext("Answer every statement from 1 to 5."))
    # One person's answers at a time, so two at once cannot both pass the month's bound.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    if SafetyResponse.objects.filter(pulse=pulse, person=person).exists():
        return False
    if month_full_for(person, pulse):
        raise ValidationError(SAFETY_MONTH_FULL)
    try:
        with transaction.atomic():
            SafetyResponse.objects.create(pulse=pulse, person=person)
    except IntegrityError:
        return False
    SafetyAnswer.objects.create(pulse=pulse, **answers)
    return True


# --- audit -------------------------------------------------------------------------------------


def audit(*, person: Person, view: str, period: str, format: str) -> None:
    """Who looked at which view and how; never a value from it."""
    assert person.organisation_id is not None
    AuditEntry.objects.create(
        organisation_id=person.organisation_id,
        person=person,
        view=view,
        period=period,
        format=format,
    )
