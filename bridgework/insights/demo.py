"""Demo activity for insights: enough to show real charts, and a small cohort whose cells are
suppressed. Generated people are clearly fake (sample-NN@example.com) and cannot sign in."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from bridgework.accounts import services as account_services
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts import services as cohort_services
from bridgework.cohorts.models import Attendance, Cohort, PulseAnswer, PulseResponse
from bridgework.curriculum.models import Lesson, LessonProgress, Module
from bridgework.curriculum.vocabulary import Practice
from bridgework.practice import assessment
from bridgework.practice import services as practice_services
from bridgework.practice.models import Assessment, CheckIn, Commitment

from . import privacy_settings, releases
from .models import GrowthScore, PrivacyBudget, SafetyAnswer, SafetyPulse, SafetyResponse
from .pulse import ITEM_FIELDS

GENERATED = 34
MONTHS = 6


def _answers(rng: random.Random, lift: float) -> dict[str, int]:
    out = {}
    for item in assessment.ITEMS:
        value = rng.gauss(1.6 + lift, 0.9)
        out[item.key] = max(0, min(4, round(value)))
    return out


def create(organisation: Organisation) -> None:
    rng = random.Random(8)
    now = timezone.now()
    today = timezone.localdate()
    start = today - timedelta(days=30 * MONTHS)
    people = {p.email: p for p in Person.objects.filter(organisation=organisation)}
    fatima = people["facilitator@example.com"]
    jordan = people["admin@example.com"]
    generated = []
    for n in range(1, GENERATED + 1):
        person = account_services.create_person(
            organisation=organisation,
            email=f"sample-{n:02d}@example.com",
            chosen_name=f"Sample Person {n:02d}",
            password=None,
            roles={Role.PARTICIPANT},
        )
        generated.append(person)
    # People joined over the months, so retention has several months to show.
    for index, person in enumerate(generated):
        joined = datetime.combine(start + timedelta(days=index * 4), time(9), tzinfo=now.tzinfo)
        Person.objects.filter(pk=person.pk).update(date_joined=joined)
    modules = list(Module.objects.filter(organisation=organisation).order_by("order")[:6])
    spring = cohort_services.create_cohort(
        organisation=organisation,
        created_by=fatima,
        name="Spring circle",
        start_date=start + timedelta(days=7),
        start_time=time(15, 0),
        time_zone="Europe/London",
        session_count=6,
        modules=modules,
        facilitators=[fatima],
        members=[*generated[:18], people["participant@example.com"], people["both@example.com"]],
        description="A monthly circle working through the seven practices.",
    )
    autumn = cohort_services.create_cohort(
        organisation=organisation,
        created_by=jordan,
        name="Autumn circle",
        start_date=start + timedelta(days=40),
        start_time=time(12, 0),
        time_zone="Europe/London",
        session_count=6,
        modules=modules,
        facilitators=[jordan],
        members=generated[18:31],
    )
    trio = cohort_services.create_cohort(
        organisation=organisation,
        created_by=fatima,
        name="Pilot trio",
        start_date=start + timedelta(days=60),
        start_time=time(10, 0),
        time_zone="Europe/London",
        session_count=4,
        modules=modules[:4],
        facilitators=[fatima],
        members=generated[31:],
    )
    _practice(rng, generated, now)
    _learning(rng, organisation, generated, now)
    for cohort in (spring, autumn, trio):
        _sessions(rng, cohort, now)
    _safety(rng, organisation, jordan, fatima, trio, generated, today)
    # The closed months are released now, so the program admin sees a real release at once.
    # A small organisation needs the largest budget allowed to show much at all; the demo's
    # admin has chosen it (the privacy page shows it and lets them change it).
    PrivacyBudget.objects.update_or_create(
        organisation=organisation, defaults={"monthly_rho": privacy_settings.ceiling_rho()}
    )
    releases.release_closed_months(organisation=organisation, today=today)


def _practice(rng: random.Random, people: list[Person], now: datetime) -> None:
    practices = list(Practice.values)
    check_ins: list[CheckIn] = []
    baselines: list[int] = []
    for index, person in enumerate(people):
        # Baseline and a later self-assessment, through the practice service so the growth
        # inputs fill exactly as they do for real people.
        if index % 6 != 5:
            first = practice_services.take_assessment(
                person=person, answers=_answers(rng, 0.0), defense="paralysis"
            )
            baselines.append(first.pk)
            practice_services.take_assessment(
                person=person, answers=_answers(rng, 0.5), defense="paralysis"
            )
        for number in range(1 + index % 2):
            practice = practices[(index + number * 3) % len(practices)]
            commitment = practice_services.commit(
                person=person,
                title="A small weekly step (demo)",
                practice=practice,
                courage=1 + (index + number) % 3,
                cadence="weekly",
            )
            weeks = 6 + (index * 5 + number) % 18
            began = now - timedelta(weeks=weeks)
            Commitment.objects.filter(pk=commitment.pk).update(
                created_at=began, started_on=began.date()
            )
            for week in range(weeks):
                if rng.random() < 0.2:
                    continue
                moment = began + timedelta(weeks=week, days=rng.randint(0, 5))
                outcome = rng.choices(["done", "partly", "not_yet"], [6, 2, 2])[0]
                check_ins.append(
                    CheckIn(
                        commitment=commitment,
                        person=person,
                        period_start=(began + timedelta(weeks=week)).date(),
                        outcome=outcome,
                        created_at=moment,
                    )
                )
    CheckIn.objects.bulk_create(check_ins)
    # The first assessment a few months back, so the demo reads like real use.
    Assessment.objects.filter(pk__in=baselines).update(taken_at=now - timedelta(days=120))
    GrowthScore.objects.filter(organisation=people[0].organisation).update(
        baseline_on=now.date() - timedelta(days=120)
    )


def _learning(
    rng: random.Random, organisation: Organisation, people: list[Person], now: datetime
) -> None:
    lessons = list(Lesson.objects.filter(module__organisation=organisation).order_by("pk")[:30])
    rows = []
    for person in people:
        for lesson in rng.sample(lessons, k=min(len(lessons), rng.randint(1, 8))):
            rows.append(
                LessonProgress(
                    person=person,
                    lesson=lesson,
                    completed_at=now - timedelta(days=rng.randint(0, 170)),
                )
            )
    LessonProgress.objects.bulk_create(rows)


def _sessions(rng: random.Random, cohort: Cohort, now: datetime) -> None:
    members = list(
        Person.objects.filter(
            cohort_memberships__cohort=cohort, cohort_memberships__status="member"
        )
    )
    attendance, responses, answers = [], [], []
    for session in cohort.sessions.filter(starts_at__lt=now).order_by("starts_at"):
        present = [m for m in members if rng.random() < 0.8]
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
    Attendance.objects.bulk_create(attendance)
    PulseResponse.objects.bulk_create(responses)
    rng.shuffle(answers)
    PulseAnswer.objects.bulk_create(answers)


def _safety(
    rng: random.Random,
    organisation: Organisation,
    admin: Person,
    facilitator: Person,
    trio: Cohort,
    people: list[Person],
    today: date,
) -> None:
    closed = SafetyPulse.objects.create(
        organisation=organisation,
        opens_on=today - timedelta(days=40),
        closes_on=today - timedelta(days=26),
        created_by=admin,
    )
    small = SafetyPulse.objects.create(
        organisation=organisation,
        cohort=trio,
        opens_on=today - timedelta(days=30),
        closes_on=today - timedelta(days=20),
        created_by=facilitator,
    )
    SafetyPulse.objects.create(
        organisation=organisation,
        opens_on=today - timedelta(days=2),
        closes_on=today + timedelta(days=12),
        created_by=admin,
    )
    for pulse, who in ((closed, people[:26]), (small, people[31:])):
        SafetyResponse.objects.bulk_create(SafetyResponse(pulse=pulse, person=p) for p in who)
        SafetyAnswer.objects.bulk_create(
            SafetyAnswer(pulse=pulse, **{f: rng.choice([2, 3, 4, 4, 4, 5, 5]) for f in ITEM_FIELDS})
            for _ in who
        )
