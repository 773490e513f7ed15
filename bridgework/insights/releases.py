"""Releases: the noisy figures of one organisation for one closed calendar month.

`release_month(organisation=, month=)` computes a month once, straight from the source
tables, and stores it (`Release`, `ReleasedCohort`, `ReleasedFigure`); it refuses a month
that is still open, one already released (its budget is spent) and anything that would spend
more than the organisation's monthly budget. `release_closed_months(organisation=)` releases
every closed month not yet released (the worker calls it every hour, `bridgework manage
release_insights` by hand). Nothing here runs at display time: the dashboard adds up
stored months.

How one month is computed (docs/privacy.md has the argument):

1. The people of the organisation: participants who had joined by the end of the month and
   were not deactivated before it began. Everything person-linked counts only for them, so
   "active" can never exceed "enrolled".
2. Cohorts: members as of the first day of the month, among those people. A person counts in
   at most `COHORT_LIMIT` cohorts (the ones they joined first); a cohort with fewer than the
   threshold of such members is not released, nor one whose members differ by fewer than the
   threshold from the organisation's, from an earlier released cohort's, or from the
   organisation's people outside the other released cohorts.
3. Each person's contribution is worked out and capped (counts.py), then added up per group.
4. Each measure gets its share of the budget; OpenDP's Gaussian mechanism adds noise to each
   group's vector (mechanism.py). One person changes the organisation's figures and those of
   at most L cohorts, so each group spends budget / (1 + L), L being the most released
   cohorts any one person counts in this month.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts.api import (
    Attendance,
    Cohort,
    Membership,
    PulseAnswer,
    PulseResponse,
    Session,
)
from bridgework.curriculum.api import LessonProgress
from bridgework.lib.habits import Outcome
from bridgework.practice.api import CheckIn, Commitment

from . import counts
from .mechanism import Noise
from .models import (
    GrowthScore,
    PrivacyBudget,
    Release,
    ReleasedCohort,
    ReleasedFigure,
    SafetyAnswer,
    SafetyPulse,
    SafetyResponse,
)
from .privacy_settings import default_rho, noiseless
from .subjects import subject_key
from .suppression_settings import min_cell

logger = logging.getLogger(__name__)

COHORT_LIMIT = 2
# How far back a first release reaches.
BACKFILL_MONTHS = 24

Vector = dict[tuple[str, str], float]


class ReleaseRefused(Exception):
    """A release that must not happen: an open month, a spent budget."""


# --- months -----------------------------------------------------------------------------------


def first_of(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(month: date) -> date:
    return (month.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_number(day: date) -> int:
    return day.year * 12 + day.month - 1


def last_closed_month(today: date) -> date:
    return previous_month(first_of(today))


def _bounds(month: date) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    return (
        datetime.combine(month, time(), tzinfo=zone),
        datetime.combine(next_month(month), time(), tzinfo=zone),
    )


def monthly_rho(organisation: Organisation) -> float:
    chosen = (
        PrivacyBudget.objects.filter(organisation=organisation)
        .values_list("monthly_rho", flat=True)
        .first()
    )
    return chosen if chosen is not None else default_rho()


# --- who counts -------------------------------------------------------------------------------


def _population(organisation: Organisation, start: datetime, end: datetime) -> dict[int, date]:
    """Participants who had joined by the end of the month and were not deactivated before it
    began (a deactivated person without a date counts nowhere), with the day they joined."""
    rows = (
        Person.objects.filter(
            organisation=organisation,
            role_assignments__role=Role.PARTICIPANT,
            date_joined__lt=end,
        )
        .filter(Q(is_active=True) | Q(deactivated_at__gte=start))
        .values_list("pk", "date_joined")
    )
    return {pk: timezone.localtime(joined).date() for pk, joined in rows}


@dataclass
class Groups:
    """The cohorts of one month: who counts in each, and why the others are not released."""

    members: dict[int, set[int]] = field(default_factory=dict)
    refused: dict[int, str] = field(default_factory=dict)

    @property
    def limit(self) -> int:
        """The most released cohorts any one person counts in."""
        per_person: dict[int, int] = defaultdict(int)
        for people in self.members.values():
            for person in people:
                per_person[person] += 1
        return max(per_person.values(), default=0)


def _groups(
    organisation: Organisation, people: set[int], start: datetime, threshold: int
) -> Groups:
    groups = Groups()
    cohorts = list(Cohort.objects.filter(organisation=organisation).values_list("pk", flat=True))
    rows = (
        Membership.objects.filter(
            cohort__organisation=organisation,
            status=Membership.Status.MEMBER,
            created_at__lt=start,
        )
        .order_by("created_at", "cohort_id")
        .values_list("person_id", "cohort_id")
    )
    candidates: dict[int, set[int]] = defaultdict(set)
    counted_in: dict[int, int] = defaultdict(int)
    for person, cohort in rows:
        if person in people and counted_in[person] < COHORT_LIMIT:
            candidates[cohort].add(person)
            counted_in[person] += 1
    for cohort in sorted(cohorts):
        members = candidates.get(cohort, set())
        if len(members) < threshold:
            groups.refused[cohort] = ReleasedCohort.Reason.SMALL
            continue
        # Differencing between groups a viewer can reach: never two that differ by a handful.
        others = set().union(*groups.members.values()) if groups.members else set()
        close = (
            len(people ^ members) < threshold
            or any(len(members ^ released) < threshold for released in groups.members.values())
            or (groups.members and len((people - others) ^ members) < threshold)
        )
        if close:
            groups.refused[cohort] = ReleasedCohort.Reason.CLOSE
            continue
        groups.members[cohort] = members
    return groups


# --- what each person did ---------------------------------------------------------------------


def _trim(buckets: dict[tuple[str, ...], int], cap: int) -> dict[tuple[str, ...], int]:
    """At most `cap` in all, taking from the largest bucket first (ties by key), so the
    result depends on this person's rows alone."""
    kept = dict(buckets)
    excess = sum(kept.values()) - cap
    while excess > 0:
        largest = min(kept, key=lambda b: (-kept[b], b))
        take = min(excess, kept[largest])
        kept[largest] -= take
        excess -= take
        if kept[largest] == 0:
            del kept[largest]
    return kept


def _follow_keys(practice: str, courage: int) -> tuple[str, str, str]:
    return (practice, f"courage-{courage}", "all")


def _person_vectors(
    organisation: Organisation,
    population: dict[int, date],
    month: date,
    start: datetime,
    end: datetime,
) -> dict[int, Vector]:
    """Each person's capped contribution to every person-linked measure."""
    vectors: dict[int, Vector] = {pk: {("enrolled", "all"): 1.0} for pk in population}
    this_month = month_number(month)
    for pk, joined in population.items():
        k = this_month - month_number(joined)
        if 0 <= k < counts.RETENTION_MONTHS:
            vectors[pk][("reached", str(k))] = 1.0
    active: set[int] = set()
    in_month = {"created_at__gte": start, "created_at__lt": end}
    mine = {"person__organisation": organisation}

    commitments: dict[int, dict[tuple[str, ...], int]] = defaultdict(dict)
    for who, practice, courage, n in (
        Commitment.objects.filter(**mine, **in_month)
        .values("person_id", "practice", "courage")
        .annotate(n=Count("pk"))
        .values_list("person_id", "practice", "courage", "n")
    ):
        if who in vectors:
            commitments[who][(practice, str(courage))] = n
    for who, buckets in commitments.items():
        active.add(who)
        for bucket, n in _trim(buckets, counts.COMMITMENT_CAP).items():
            for key in _follow_keys(bucket[0], int(bucket[1])):
                _add(vectors[who], counts.follow_measure("commitments", key), key, n)
                vectors[who][("commit_people", key)] = 1.0

    check_ins: dict[int, dict[tuple[str, ...], int]] = defaultdict(dict)
    for who, practice, courage, outcome, n in (
        CheckIn.objects.filter(**mine, **in_month)
        .values("person_id", "commitment__practice", "commitment__courage", "outcome")
        .annotate(n=Count("pk"))
        .values_list("person_id", "commitment__practice", "commitment__courage", "outcome", "n")
    ):
        if who in vectors:
            check_ins[who][(practice, str(courage), outcome)] = n
    for who, buckets in check_ins.items():
        active.add(who)
        for bucket, n in _trim(buckets, counts.CHECK_IN_CAP).items():
            for key in _follow_keys(bucket[0], int(bucket[1])):
                _add(vectors[who], counts.follow_measure("check_ins", key), key, n)
                vectors[who][("checkin_people", key)] = 1.0
                if bucket[2] == Outcome.DONE:
                    _add(vectors[who], counts.follow_measure("kept", key), key, n)
                    vectors[who][("kept_people", key)] = 1.0

    for measure, cap, rows in (
        (
            "lessons",
            counts.LESSON_CAP,
            LessonProgress.objects.filter(**mine, completed_at__gte=start, completed_at__lt=end),
        ),
        (
            "attended",
            counts.ATTENDANCE_CAP,
            Attendance.objects.filter(
                **mine,
                status=Attendance.Status.PRESENT,
                session__starts_at__gte=start,
                session__starts_at__lt=end,
            ),
        ),
    ):
        people_measure = "lesson_people" if measure == "lessons" else "attended_people"
        for who, n in (
            rows.values("person_id").annotate(n=Count("pk")).values_list("person_id", "n")
        ):
            if who in vectors:
                active.add(who)
                vectors[who][(measure, "all")] = float(min(n, cap))
                vectors[who][(people_measure, "all")] = 1.0

    for who in active:
        vectors[who][("active", "all")] = 1.0
        for month_key in counts.MONTH_KEYS:
            if ("reached", month_key) in vectors[who]:
                vectors[who][("retained", month_key)] = 1.0

    # Growth rows are pseudonymous: find each person's through their subject key.
    subjects = {subject_key(pk): pk for pk in population}
    for subject, practice, baseline, latest in GrowthScore.objects.filter(
        organisation=organisation,
        cohort__isnull=True,
        assessments__gte=2,
        latest_on__gte=month,
        latest_on__lt=next_month(month),
        baseline_on__lt=month,
    ).values_list("subject", "practice", "baseline", "latest"):
        found = subjects.get(subject)
        if found is None or practice not in counts.PRACTICE_KEYS:
            continue
        change = max(-4.0, min(4.0, latest - baseline))
        vector = vectors[found]
        vector[("growth_people", practice)] = 1.0
        vector[("growth_change", practice)] = change
        vector[("growth_squares", practice)] = change * change
        vector[("growth_baseline", practice)] = max(0.0, min(4.0, baseline))
    return vectors


def _add(vector: Vector, measure: str, key: str, n: float) -> None:
    vector[(measure, key)] = vector.get((measure, key), 0.0) + n


# --- anonymous answers ------------------------------------------------------------------------


def _answers(
    organisation: Organisation,
    month: date,
    start: datetime,
    end: datetime,
    members: dict[int, set[int]],
) -> dict[int | None, Vector] | None:
    """Session feedback and safety pulses that count in this month, added up per group (None:
    the organisation), with the people who answered. None when someone answered more than
    the bounds of counts.py: then these measures are left out of the month.

    A session's answers count in its `pulse_month`, fixed before anyone could answer and
    the month each person's answers were bounded in (`cohorts.FEEDBACK_PER_MONTH`), never in
    the month its pulse closes in on the organisation's calendar now: a program admin can
    change the zone, and with it move answers given within one month's bound into one month
    past it. A safety pulse counts in the month of its closing day, a date no zone moves.

    A cohort counts among the people who answered only its counted members (`members`, as
    for every other measure): one person answering the pulses of cohorts they were added to
    during the month would otherwise be in the people count of more cohorts than the budget
    was divided for."""
    out: dict[int | None, Vector] = defaultdict(dict)
    sessions = dict(
        Session.objects.filter(cohort__organisation=organisation, pulse_month=month).values_list(
            "pk", "cohort_id"
        )
    )
    answered: dict[int, int] = defaultdict(int)
    for person in PulseResponse.objects.filter(
        session_id__in=sessions, person__isnull=False
    ).values_list("person_id", flat=True):
        answered[person] += 1
    if any(n > counts.FEEDBACK_CAP for n in answered.values()):
        return None
    # People who answered, per group (each once).
    seen: dict[int | None, set[int]] = defaultdict(set)
    for person, session in PulseResponse.objects.filter(
        session_id__in=sessions, person__isnull=False
    ).values_list("person_id", "session_id"):
        seen[None].add(person)
        if person in members.get(sessions[session], ()):
            seen[sessions[session]].add(person)
    for group, who in seen.items():
        out[group][("feedback_people", "all")] = float(len(who))
    for session, n, useful, safe, good in (
        PulseAnswer.objects.filter(session_id__in=sessions)
        .values_list("session_id")
        .annotate(
            n=Count("pk"),
            useful_sum=Sum("useful"),
            safe_sum=Sum("safe"),
            good=Count("pk", filter=Q(useful__gte=4)),
        )
        .values_list("session_id", "n", "useful_sum", "safe_sum", "good")
    ):
        for group in (None, sessions[session]):
            _add(out[group], "feedback_answers", "all", n)
            _add(out[group], "feedback_useful", "all", useful or 0)
            _add(out[group], "feedback_safe", "all", safe or 0)
            _add(out[group], "feedback_good", "all", good)

    pulses = dict(
        SafetyPulse.objects.filter(
            organisation=organisation,
            closes_on__gte=start.date(),
            closes_on__lt=end.date(),
        ).values_list("pk", "cohort_id")
    )
    per_person: dict[tuple[int, bool], int] = defaultdict(int)
    responders: dict[int | None, set[int]] = defaultdict(set)
    for person, pulse in SafetyResponse.objects.filter(
        pulse_id__in=pulses, person__isnull=False
    ).values_list("person_id", "pulse_id"):
        per_person[(person, pulses[pulse] is None)] += 1
        cohort = pulses[pulse]
        if cohort is None or person in members.get(cohort, ()):
            responders[cohort].add(person)
    if any(n > counts.SAFETY_CAP for n in per_person.values()):
        return None
    for group, who in responders.items():
        out[group][("safety_people", "all")] = float(len(who))
    sums = {f"{f}_sum": Sum(f) for f in counts.SAFETY_KEYS}
    agrees = {f"{f}_agree": Count("pk", filter=Q(**{f"{f}__gte": 4})) for f in counts.SAFETY_KEYS}
    rows: list[dict[str, Any]] = [
        dict(row)
        for row in SafetyAnswer.objects.filter(pulse_id__in=pulses)
        .values("pulse_id")
        .annotate(**sums, **agrees)
    ]
    for row in rows:
        group = pulses[row["pulse_id"]]
        for item in counts.SAFETY_KEYS:
            _add(out[group], "safety_sum", item, row[f"{item}_sum"] or 0)
            _add(out[group], "safety_agree", item, row[f"{item}_agree"])
    return {g: v for g, v in out.items() if g is None or g in members}


# --- the release ------------------------------------------------------------------------------


def _pulses_still_open(organisation: Organisation, month: date) -> bool:
    """Whether a session pulse counting in the month (`Session.pulse_month`) is open still.
    Its month was fixed on the organisation's calendar of the day someone was first marked
    present; were the zone moved east since, the month could end on the calendar before the
    pulse closes, and its answers would go on arriving after the month was released."""
    now = timezone.now()
    return any(
        not session.pulse_closed(now)
        for session in Session.objects.filter(
            cohort__organisation=organisation, pulse_month=month
        ).only("starts_at", "duration_minutes")
    )


def _first_month(organisation: Organisation, today: date) -> date:
    earliest = Person.objects.filter(organisation=organisation).aggregate(first=Min("date_joined"))[
        "first"
    ]
    candidates = [timezone.localtime(organisation.created_at).date()]
    if earliest is not None:
        candidates.append(timezone.localtime(earliest).date())
    floor = first_of(today)
    for _ in range(BACKFILL_MONTHS):
        floor = previous_month(floor)
    return max(first_of(min(candidates)), floor)


def _on_its_calendar[**P, R](release: Callable[P, R]) -> Callable[P, R]:
    """Run a release on the organisation's own calendar (`Organisation.clock`): its months
    begin and end at midnight there, and so do its pulses, whoever asks. The worker runs in
    the server's zone and a request in its reader's; neither may move a month's edges, or a
    pulse still open for some would be released, and activity near midnight counted in no
    month."""

    @functools.wraps(release)
    def on_its_calendar(*args: P.args, **kwargs: P.kwargs) -> R:
        organisation = cast("Organisation", kwargs["organisation"])
        with timezone.override(organisation.clock):
            return release(*args, **kwargs)

    return on_its_calendar


@_on_its_calendar
def release_closed_months(
    *, organisation: Organisation, today: date | None = None
) -> list[Release]:
    """Release every closed month not released yet (oldest first)."""
    today = today or timezone.localdate()
    done = set(Release.objects.filter(organisation=organisation).values_list("month", flat=True))
    made = []
    month = _first_month(organisation, today)
    while month <= last_closed_month(today):
        if month not in done:
            try:
                made.append(release_month(organisation=organisation, month=month, today=today))
            except ReleaseRefused as refusal:
                logger.warning("insights release of %s refused: %s", month, refusal)
        month = next_month(month)
    return made


@_on_its_calendar
def release_month(*, organisation: Organisation, month: date, today: date | None = None) -> Release:
    """Compute, store and return one closed month's release."""
    today = today or timezone.localdate()
    month = first_of(month)
    if month > last_closed_month(today):
        raise ReleaseRefused(f"{month:%B %Y} has not closed yet; only closed months are released.")
    if Release.objects.filter(organisation=organisation, month=month).exists():
        raise ReleaseRefused(
            f"{month:%B %Y} is already released and its budget spent; a month is released once."
        )
    if _pulses_still_open(organisation, month):
        raise ReleaseRefused(
            f"A session pulse counting in {month:%B %Y} is still open; the month is released "
            "once it has closed."
        )
    budget = monthly_rho(organisation)
    threshold = min_cell()
    start, end = _bounds(month)
    population = _population(organisation, start, end)
    groups = _groups(organisation, set(population), start, threshold)
    limit = groups.limit
    group_rho = budget / (1 + limit)
    quiet = noiseless()
    noises = {
        m.name: Noise(m.bound, counts.rho_for(m, group_rho), noiseless=quiet)
        for m in counts.MEASURES
    }
    # One person changes the organisation's figures and those of at most `limit` cohorts.
    spent = (1 + limit) * sum(n.spent for n in noises.values())
    if spent > budget * (1 + 1e-6):
        raise ReleaseRefused(
            f"This release would spend rho = {spent:.4f}, more than the monthly budget of "
            f"{budget:.4f}; nothing was released."
        )
    vectors = _person_vectors(organisation, population, month, start, end)
    totals: dict[int | None, Vector] = {None: _sum(vectors.values())}
    for cohort, members in groups.members.items():
        totals[cohort] = _sum(vectors[p] for p in members)
    answers = _answers(organisation, month, start, end, groups.members)
    for group, vector in (answers or {}).items():
        totals[group].update(vector)
    try:
        with transaction.atomic():
            release = Release.objects.create(
                organisation=organisation,
                month=month,
                budget_rho=budget,
                spent_rho=spent,
                threshold=threshold,
                cohort_limit=limit,
                noiseless=quiet,
            )
            ReleasedCohort.objects.bulk_create(
                [ReleasedCohort(release=release, cohort_id=c) for c in groups.members]
                + [
                    ReleasedCohort(release=release, cohort_id=c, reason=reason)
                    for c, reason in groups.refused.items()
                ]
            )
            figures = []
            for group, vector in totals.items():
                for measure in counts.MEASURES:
                    if answers is None and measure.name in counts.ANONYMOUS | {
                        "feedback_people",
                        "safety_people",
                    }:
                        continue
                    noise = noises[measure.name]
                    values = noise.release(
                        [vector.get((measure.name, k), 0.0) for k in measure.keys]
                    )
                    figures += [
                        ReleasedFigure(
                            release=release,
                            cohort_id=group,
                            measure=measure.name,
                            key=key,
                            value=value,
                            scale=0.0 if quiet else noise.scale,
                        )
                        for key, value in zip(measure.keys, values, strict=True)
                    ]
            ReleasedFigure.objects.bulk_create(figures, batch_size=2000)
    except IntegrityError:
        raise ReleaseRefused(f"{month:%B %Y} was released meanwhile.") from None
    return release


def _sum(vectors: Iterable[Vector]) -> Vector:
    total: Vector = defaultdict(float)
    for vector in vectors:
        for key, value in vector.items():
            total[key] += value
    return total


def spent_in(organisation: Organisation, month: date) -> float:
    """What the releases of one calendar month spent (never above that month's budget)."""
    return float(
        Release.objects.filter(organisation=organisation, month=first_of(month)).aggregate(
            s=Sum("spent_rho")
        )["s"]
        or 0.0
    )
