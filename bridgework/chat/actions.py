"""What a button or a command in chat does, whichever platform it came from.

Each action is authorised by the confirmed link it arrives through (the link's person owns
what is touched, or nothing happens) and is idempotent: a platform's retry or a double
click gives the same answer and writes nothing twice. Answers carry no commitment text,
no notes: a tip's title (curriculum, not the person's words) or the practice's name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from bridgework.cohorts import api as cohorts
from bridgework.curriculum.api import Practice, Tip, TipQuerySet
from bridgework.lib.habits import Cadence, Outcome
from bridgework.practice import api as practice
from bridgework.practice.api import CheckIn, Commitment

from .models import ChatDelivery, ChatLink

OUTCOME_WORDS = {
    Outcome.DONE: pgettext_lazy("check-in outcome", "done"),
    Outcome.PARTLY: pgettext_lazy("check-in outcome", "partly"),
    Outcome.NOT_YET: pgettext_lazy("check-in outcome", "not yet"),
}
CADENCE_WORDS = {
    Cadence.ONCE: pgettext_lazy("cadence", "once"),
    Cadence.DAILY: pgettext_lazy("cadence", "daily"),
    Cadence.WEEKLY: pgettext_lazy("cadence", "weekly"),
    Cadence.WEEKDAYS: pgettext_lazy("cadence", "weekdays"),
    Cadence.CUE: pgettext_lazy("cadence", "on a cue"),
}
# A second "Commit" on the same tip this soon is the same click, not a second commitment.
SAME_COMMIT_WINDOW = timedelta(minutes=10)


class ActionRefused(Exception):
    """Shown to the person in chat as it is: a plain sentence, nothing private."""


def commitment_label(commitment: Commitment) -> str:
    if commitment.tip is not None:
        return commitment.tip.title
    cadence = Cadence(commitment.cadence)
    return _("%(practice)s, %(cadence)s") % {
        "practice": Practice(commitment.practice).label,
        "cadence": CADENCE_WORDS.get(cadence, cadence.value),
    }


def period_words(commitment: Commitment) -> str:
    return _("today") if commitment.counted_by_day else _("this week")


def checked_in_text(commitment: Commitment, outcome: str) -> str:
    return _("Checked in: %(outcome)s, %(period)s") % {
        "outcome": OUTCOME_WORDS[Outcome(outcome)],
        "period": period_words(commitment),
    }


def _organisation_id(link: ChatLink) -> int:
    if link.person.organisation_id is None:
        raise ActionRefused(_("Your Bridgework account belongs to no organisation."))
    return link.person.organisation_id


def _offered_tips(link: ChatLink) -> TipQuerySet:
    return Tip.objects.filter(
        organisation_id=_organisation_id(link), status=Tip.Status.APPROVED
    ).active()


def _own_commitment(link: ChatLink, commitment_id: int) -> Commitment:
    commitment = (
        Commitment.objects.current()
        .select_related("person", "tip")
        .filter(pk=commitment_id, person_id=link.person_id)
        .first()
    )
    if commitment is None:
        raise ActionRefused(_("That commitment is no longer running."))
    return commitment


@transaction.atomic
def check_in(
    *, link: ChatLink, commitment_id: int, period: date, outcome: str, shown_in: str = ""
) -> str:
    """Record the period's check-in (a second press with another answer corrects it; the
    note, written on the web only, is kept). Returns the message's new text.

    `shown_in` names the message the caller replaces with that text itself (a Teams card
    answered in place): when it is the period's reminder, the worker leaves it alone."""
    if outcome not in Outcome.__members__.values():
        raise ActionRefused(_("That answer is not one Bridgework knows."))
    commitment = _own_commitment(link, commitment_id)
    try:
        row = practice.check_in(commitment=commitment, outcome=outcome, note=None, on=period)
    except ValidationError as error:
        raise ActionRefused(error.messages[0]) from None
    if shown_in:
        ChatDelivery.objects.filter(
            person_id=link.person_id,
            kind=ChatDelivery.Kind.COMMITMENT,
            object_id=commitment.pk,
            period=row.period_start.isoformat(),
            message_ref=shown_in,
        ).update(shows=outcome)
    return checked_in_text(commitment, outcome)


@dataclass(frozen=True)
class WeekLine:
    commitment_id: int
    label: str
    period: date
    period_words: str
    outcome: str | None


def this_week(link: ChatLink) -> list[WeekLine]:
    """The person's running commitments with this period's check-in, if any."""
    today = practice.local_today(link.person)
    commitments = list(
        Commitment.objects.filter(person_id=link.person_id, status=Commitment.Status.ACTIVE)
        .select_related("tip")
        .order_by("created_at", "pk")
    )
    periods = {c.pk: c.period_on(today) for c in commitments}
    done = {
        (row.commitment_id, row.period_start): row.outcome
        for row in CheckIn.objects.filter(commitment__in=commitments)
        .filter(period_start__in=[p for p in periods.values() if p is not None])
        .only("commitment_id", "period_start", "outcome")
    }
    lines = []
    for commitment in commitments:
        period = periods[commitment.pk]
        if period is None:
            continue
        lines.append(
            WeekLine(
                commitment_id=commitment.pk,
                label=commitment_label(commitment),
                period=period,
                period_words=period_words(commitment),
                outcome=done.get((commitment.pk, period)),
            )
        )
    return lines


def suggest_one(link: ChatLink, *, rng: random.Random | None = None) -> Tip | None:
    """One tip fitted to the person, by the same rules as "Pick one thing" on the web."""
    person = link.person
    profile = practice.profile_for(person)
    latest = practice.latest_assessment(person)
    recent = set(
        Commitment.objects.filter(person=person, tip__isnull=False)
        .order_by("-created_at")
        .values_list("tip_id", flat=True)[:20]
    )
    avoid = {t for t in recent if t is not None}
    if profile.last_suggested_tip_id:
        avoid.add(profile.last_suggested_tip_id)
    prefs = practice.TipPreferences(
        level=practice.unlocked_level(person),
        capacity=profile.capacity,
        weakest_practice=practice.weakest_practice(practice.practice_scores(latest.answers or {}))
        if latest
        else None,
        defense=latest.defense if latest else None,
        avoid=avoid,
    )
    tips = list(
        Tip.objects.filter(organisation_id=_organisation_id(link))
        .filter(status=Tip.Status.APPROVED)
        .active()
    )
    tip = practice.pick_tip(tips, prefs, rng=rng) or practice.pick_tip(
        tips, practice.TipPreferences(**{**prefs.__dict__, "avoid": recent}), rng=rng
    )
    if tip is not None:
        profile.last_suggested_tip = tip
        profile.save(update_fields=["last_suggested_tip"])
    return tip


@transaction.atomic
def commit_to(*, link: ChatLink, tip_id: int) -> tuple[Tip, bool]:
    """Commit to a tip weekly, as the web's default. (tip, made now); a repeated click
    within a few minutes returns the commitment already made."""
    tip = _offered_tips(link).filter(pk=tip_id).first()
    if tip is None:
        raise ActionRefused(_("That tip is no longer offered."))
    recent = Commitment.objects.filter(
        person_id=link.person_id,
        tip=tip,
        status=Commitment.Status.ACTIVE,
        created_at__gte=timezone.now() - SAME_COMMIT_WINDOW,
    )
    if recent.exists():
        return tip, False
    practice.commit(
        person=link.person,
        title=tip.title,
        practice=tip.practice,
        courage=tip.courage,
        cadence=Cadence.WEEKLY,
        tip=tip,
    )
    return tip, True


def answer_pulse(*, link: ChatLink, session_id: int, useful: int, safe: int, line: str) -> bool:
    """Stored exactly like the web pulse: that the person answered, and apart from it, what
    was answered. False if they had answered already."""
    session = (
        cohorts.Session.objects.select_related("cohort")
        .filter(pk=session_id, cohort__organisation_id=_organisation_id(link))
        .first()
    )
    if session is None:
        raise ActionRefused(_("That session is not one of yours."))
    try:
        return cohorts.answer_pulse(
            session=session, person=link.person, useful=useful, safe=safe, line=line[:200]
        )
    except ValidationError as error:
        raise ActionRefused(error.messages[0]) from None
