"""Demo activity for insights: a year of a program large enough that its releases show real
figures, two cohorts large enough to be released and a small one that is not.

Differential privacy adds noise of a fixed size whatever the organisation's size, so a demo of
a few dozen people would show little but "too few people to show this reliably". The demo has
a few hundred generated participants in the background (clearly fake: sample-NNN@example.com,
no password, so they cannot sign in, and in no community group), who joined over the year and
did what people in a program do: commitments and weekly check-ins, lessons, sessions with
their pulse, self-assessments and safety pulses. The closed months are released at once.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridgework.accounts import services as account_services
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts import api as cohort_services
from bridgework.cohorts.api import (
    Attendance,
    Cohort,
    Membership,
    PulseAnswer,
    PulseResponse,
    Session,
)
from bridgework.curriculum.api import Lesson, LessonProgress, Module, Practice
from bridgework.practice import api as assessment
from bridgework.practice import api as practice_services
from bridgework.practice.api import Assessment, CheckIn, Commitment, PracticeProfile

from . import privacy_settings, releases
from .models import GrowthScore, PrivacyBudget, SafetyAnswer, SafetyPulse, SafetyResponse
from .pulse import ITEM_FIELDS
from .subjects import subject_key

GENERATED = 300
MONTHS = 12
SPRING, AUTUMN, TRIO = 80, 60, 3


@dataclass
class Sample:
    person: Person
    joined: date
    # How engaged this person is (0-1): drives how much they do, as in a real program.
    engagement: float
    # The day they stopped taking part (some drift away, as in any program).
    stopped: date


def create(organisation: Organisation) -> None:
    rng = random.Random(8)
    now = timezone.now()
    today = timezone.localdate()
    start = today - timedelta(days=30 * MONTHS)
    people = {p.email: p for p in Person.objects.filter(organisation=organisation)}
    fatima = people["facilitator@example.com"]
    jordan = people["admin@example.com"]
    samples = _people(rng, organisation, start, today)
    modules = list(Module.objects.filter(organisation=organisation).order_by("order")[:6])
    # Everyone is in one cohort at most; the early joiners make up the spring circle.
    spring_members = samples[:SPRING]
    autumn_start = today - timedelta(days=150)
    later = [s for s in samples[SPRING:] if s.joined < autumn_start - timedelta(days=7)]
    autumn_members = later[:AUTUMN]
    trio_members = later[AUTUMN : AUTUMN + TRIO]
    spring = cohort_services.create_cohort(
        organisation=organisation,
        created_by=fatima,
        name="Spring circle",
        start_date=start + timedelta(days=21),
        start_time=time(15, 0),
        time_zone="Europe/London",
        session_count=12,
        modules=modules,
        facilitators=[fatima],
        members=[
            *(s.person for s in spring_members),
            people["participant@example.com"],
            people["both@example.com"],
        ],
        description="A monthly circle working through the seven practices.",
    )
    autumn = cohort_services.create_cohort(
        organisation=organisation,
        created_by=jordan,
        name="Autumn circle",
        start_date=autumn_start,
        start_time=time(12, 0),
        time_zone="Europe/London",
        session_count=6,
        modules=modules,
        facilitators=[jordan],
        members=[s.person for s in autumn_members],
    )
    trio = cohort_services.create_cohort(
        organisation=organisation,
        created_by=fatima,
        name="Pilot trio",
        start_date=today - timedelta(days=120),
        start_time=time(10, 0),
        time_zone="Europe/London",
        session_count=4,
        modules=modules[:4],
        facilitators=[fatima],
        members=[s.person for s in trio_members],
    )
    # Members belong from the first session, as if the cohorts had been set up back then.
    for cohort in (spring, autumn, trio):
        first = cohort.sessions.order_by("starts_at").values_list("starts_at", flat=True).first()
        Membership.objects.filter(cohort=cohort).update(created_at=first)
    _practice(rng, samples, now)
    cohort_of = {s.person.pk: spring.pk for s in spring_members}
    cohort_of |= {s.person.pk: autumn.pk for s in autumn_members}
    cohort_of |= {s.person.pk: trio.pk for s in trio_members}
    _assessments(rng, organisation, samples, cohort_of)
    _learning(rng, organisation, samples, now)
    stopped = {s.person.pk: s.stopped for s in samples}
    for cohort in (spring, autumn, trio):
        _sessions(rng, cohort, now, stopped)
    _safety(rng, organisation, jordan, fatima, trio, samples, trio_members, today)
    # The closed months are released now, so the program admin sees a real release at once.
    # The demo's admin has chosen the largest budget allowed (the privacy page shows it and
    # lets them change it): at a few hundred people the default would hide most figures.
    PrivacyBudget.objects.update_or_create(
        organisation=organisation, defaults={"monthly_rho": privacy_settings.ceiling_rho()}
    )
    releases.release_closed_months(organisation=organisation, today=today)


def _people(
    rng: random.Random, organisation: Organisation, start: date, today: date
) -> list[Sample]:
    """Generated participants: a third at the program's launch, the rest over the year."""
    samples = []
    span = (today - start).days - 21
    for n in range(1, GENERATED + 1):
        person = account_services.create_person(
            organisation=organisation,
            email=f"sample-{n:03d}@example.com",
            chosen_name=f"Sample Person {n:03d}",
            password=None,
            roles={Role.PARTICIPANT},
        )
        launch = n <= GENERATED // 3
        offset = rng.randint(0, 14) if launch else round(span * (n / GENERATED))
        joined = start + timedelta(days=offset)
        person.date_joined = datetime.combine(
            joined, time(9), tzinfo=timezone.get_current_timezone()
        )
        engagement = rng.betavariate(2.5, 2)
        stopped = today
        if rng.random() < 0.6 * (1 - engagement):
            stopped = min(today, joined + timedelta(days=rng.randint(20, 150)))
        samples.append(Sample(person, joined, engagement, stopped))
    Person.objects.bulk_update([s.person for s in samples], ["date_joined"])
    # Nobody reads the generated people's mail: without this, the first minutes of `make run`
    # would print hundreds of reminder e-mails to the console.
    PracticeProfile.objects.bulk_create(
        [PracticeProfile(person=s.person, reminders_on=False) for s in samples]
    )
    return samples


def _practice(rng: random.Random, samples: list[Sample], now: datetime) -> None:
    """Commitments with weekly check-ins; engaged people commit more often and keep more."""
    practices = list(Practice.values)
    check_ins: list[CheckIn] = []
    dated: list[Commitment] = []
    for sample in samples:
        days = max(1, (sample.stopped - sample.joined).days)
        for _ in range(1 + round(sample.engagement * days / 60)):
            commitment = practice_services.commit(
                person=sample.person,
                title="A small weekly step (demo)",
                practice=rng.choice(practices),
                courage=rng.choice([1, 1, 2, 2, 3]),
                cadence="weekly",
            )
            began = datetime.combine(
                sample.joined + timedelta(days=rng.randint(0, max(0, days - 7))),
                time(8),
                tzinfo=now.tzinfo,
            )
            left = datetime.combine(sample.stopped, time(8), tzinfo=now.tzinfo)
            weeks = min(rng.randint(3, 10), max(1, (left - began).days // 7))
            commitment.created_at, commitment.started_on = began, began.date()
            if (now - began).days > weeks * 7 + 7:
                commitment.status = Commitment.Status.FINISHED
            dated.append(commitment)
            for week in range(weeks):
                if rng.random() > 0.3 + 0.65 * sample.engagement:
                    continue
                moment = began + timedelta(weeks=week, days=rng.randint(0, 5))
                if moment >= now:
                    break
                kept = 0.35 + 0.5 * sample.engagement
                outcome = rng.choices(["done", "partly", "not_yet"], [kept, 0.6 - kept / 2, 0.4])
                check_ins.append(
                    CheckIn(
                        commitment=commitment,
                        person=sample.person,
                        period_start=(began + timedelta(weeks=week)).date(),
                        outcome=outcome[0],
                        created_at=moment,
                    )
                )
    Commitment.objects.bulk_update(dated, ["created_at", "started_on", "status"])
    CheckIn.objects.bulk_create(check_ins, batch_size=1000)


def _answers(rng: random.Random, lift: float) -> dict[str, int]:
    out = {}
    for item in assessment.ITEMS:
        value = rng.gauss(1.6 + lift, 0.9)
        out[item.key] = max(0, min(4, round(value)))
    return out


def _assessments(
    rng: random.Random,
    organisation: Organisation,
    samples: list[Sample],
    cohort_of: dict[int, int],
) -> None:
    """Most people take the self-assessment when they join; many take it again later (the
    growth figures come from these). Written in bulk: the assessments as the practice service
    saves them, and insights' pseudonymous rows as `record_assessment` keeps them (one for
    the organisation and one for the person's cohort)."""
    zone = timezone.get_current_timezone()
    taken: list[Assessment] = []
    scores: list[GrowthScore] = []
    for sample in samples:
        if rng.random() > 0.5 + 0.4 * sample.engagement:
            continue
        days = (sample.stopped - sample.joined).days
        answers = [_answers(rng, 0.0)]
        dates = [sample.joined]
        if days > 60 and rng.random() < 0.4 + 0.5 * sample.engagement:
            answers.append(_answers(rng, 0.2 + 0.6 * sample.engagement))
            dates.append(sample.stopped - timedelta(days=rng.randint(5, min(120, days))))
        for given, on in zip(answers, dates, strict=True):
            at = datetime.combine(on, time(18), tzinfo=zone)
            taken.append(
                Assessment(person=sample.person, answers=given, defense="paralysis", taken_at=at)
            )
        first = assessment.practice_scores(answers[0])
        last = assessment.practice_scores(answers[-1])
        mine = cohort_of.get(sample.person.pk)
        for cohort in [None] if mine is None else [None, mine]:
            scores += [
                GrowthScore(
                    organisation=organisation,
                    cohort_id=cohort,
                    subject=subject_key(sample.person.pk),
                    practice=practice,
                    baseline=first[practice],
                    latest=last[practice],
                    baseline_on=dates[0],
                    latest_on=dates[-1],
                    assessments=len(dates),
                )
                for practice in first
            ]
    Assessment.objects.bulk_create(taken, batch_size=1000)
    GrowthScore.objects.bulk_create(scores, batch_size=1000)


def _learning(
    rng: random.Random, organisation: Organisation, samples: list[Sample], now: datetime
) -> None:
    lessons = list(Lesson.objects.filter(module__organisation=organisation).order_by("pk")[:40])
    rows = []
    for sample in samples:
        days = max(1, (sample.stopped - sample.joined).days)
        count = min(len(lessons), round(sample.engagement * days / 40))
        for lesson in rng.sample(lessons, k=count):
            done = sample.joined + timedelta(days=rng.randint(0, days - 1))
            rows.append(
                LessonProgress(
                    person=sample.person,
                    lesson=lesson,
                    completed_at=datetime.combine(done, time(20), tzinfo=now.tzinfo),
                )
            )
    LessonProgress.objects.bulk_create(rows, batch_size=1000)


def _sessions(rng: random.Random, cohort: Cohort, now: datetime, stopped: dict[int, date]) -> None:
    members = list(
        Person.objects.filter(
            cohort_memberships__cohort=cohort, cohort_memberships__status="member"
        )
    )
    attendance, responses, answers = [], [], []
    for session in cohort.sessions.filter(starts_at__lt=now).order_by("starts_at"):
        day = session.starts_at.date()
        present = [m for m in members if rng.random() < 0.75 and stopped.get(m.pk, day) >= day]
        attendance += [
            Attendance(
                session=session,
                person=person,
                status=Attendance.Status.PRESENT,
                source=Attendance.Source.FACILITATOR,
                marked_at=session.starts_at,
            )
            for person in present
        ]
        for person in present[: max(0, len(present) - 2)]:
            responses.append(PulseResponse(session=session, person=person))
            answers.append(
                PulseAnswer(
                    session=session,
                    useful=rng.choice([3, 4, 4, 5, 5]),
                    safe=rng.choice([3, 4, 4, 4, 5]),
                )
            )
    Attendance.objects.bulk_create(attendance, batch_size=1000)
    attended = list(cohort.sessions.filter(pk__in={row.session_id for row in attendance}))
    clock = cohort.organisation.clock
    for session in attended:
        session.was_attended, session.pulse_month = True, session.pulse_month_on(clock)
    Session.objects.bulk_update(attended, ["was_attended", "pulse_month"])
    PulseResponse.objects.bulk_create(responses, batch_size=1000)
    rng.shuffle(answers)
    PulseAnswer.objects.bulk_create(answers, batch_size=1000)


def _safety(
    rng: random.Random,
    organisation: Organisation,
    admin: Person,
    facilitator: Person,
    trio: Cohort,
    samples: list[Sample],
    trio_members: list[Sample],
    today: date,
) -> None:
    """A quarterly pulse for the organisation (three closed, one open now) and one for the
    small cohort."""
    pulses: list[tuple[SafetyPulse, list[Sample]]] = []
    for closed_ago in (208, 117, 26):
        opens_on = today - timedelta(days=closed_ago + 14)
        pulse = SafetyPulse.objects.create(
            organisation=organisation,
            opens_on=opens_on,
            closes_on=today - timedelta(days=closed_ago),
            created_by=admin,
        )
        who = [s for s in samples if s.joined < opens_on and rng.random() < 0.5 + s.engagement / 2]
        pulses.append((pulse, who))
    small = SafetyPulse.objects.create(
        organisation=organisation,
        cohort=trio,
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=20),
        created_by=facilitator,
    )
    pulses.append((small, trio_members))
    SafetyPulse.objects.create(
        organisation=organisation,
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=12),
        created_by=admin,
    )
    for pulse, who in pulses:
        SafetyResponse.objects.bulk_create(
            SafetyResponse(pulse=pulse, person=s.person) for s in who
        )
        SafetyAnswer.objects.bulk_create(
            SafetyAnswer(pulse=pulse, **{f: rng.choice([2, 3, 4, 4, 4, 5, 5]) for f in ITEM_FIELDS})
            for _ in who
        )
