"""Shared set-up for the cohort tests: a module with questions, prompts and an exercise, and
a cohort built the way a facilitator would build it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts import services
from bridgework.cohorts.models import FEEDBACK_PER_MONTH, Cohort, Session
from bridgework.curriculum.models import DiscussionQuestion, Exercise, Module, ReflectionPrompt

from .conftest import make_person

# What a facilitator fills in on the new-cohort page: four sessions a week apart in Berlin.
NEW_COHORT = {
    "name": "Spring circle",
    "start_date": "2030-03-12",
    "start_time": "17:30",
    "duration_minutes": "90",
    "time_zone": "Europe/Berlin",
    "cadence": "same_weekday",
    "session_count": "4",
}


def courage_module(organisation: Organisation) -> Module:
    module = Module.objects.create(
        organisation=organisation,
        slug="courage",
        title="Courage",
        order=2,
        summary="Holding back, and stepping past it.",
        body="Body.",
    )
    for n in range(1, 5):
        DiscussionQuestion.objects.create(
            module=module, slug=f"q{n}", text=f"Question {n}?", order=n
        )
    ReflectionPrompt.objects.create(module=module, slug="p1", text="When did you hold back?")
    Exercise.objects.create(
        module=module,
        slug="poll",
        title="Which defense is yours?",
        order=1,
        minutes=30,
        format="group",
        body="1. Vote.\n2. Share.",
    )
    return module


def make_cohort(
    facilitator: Person,
    members: Sequence[Person] = (),
    *,
    start: date,
    at: time = time(18, 0),
    zone: str = "Europe/London",
    sessions: int = 3,
    module: Module | None = None,
    name: str = "Courage circle",
) -> Cohort:
    assert facilitator.organisation is not None
    return services.create_cohort(
        organisation=facilitator.organisation,
        created_by=facilitator,
        name=name,
        start_date=start,
        start_time=at,
        time_zone=zone,
        session_count=sessions,
        modules=[module] if module else [],
        facilitators=[facilitator],
        members=members,
    )


def add_members(organisation: Organisation, count: int, start: int = 0) -> list[Person]:
    return [
        make_person(organisation, f"m{n}@acme.test", f"Member {n}", {Role.PARTICIPANT})
        for n in range(start, start + count)
    ]


def fill_month_of_feedback(session: Session, person: Person) -> None:
    """The person's month of feedback full for `session`'s pulse, which they have not
    answered: FEEDBACK_PER_MONTH other sessions of its cohort, held the day before it (so
    their pulses close in the same month), each with the person present and answering."""
    for k in range(1, FEEDBACK_PER_MONTH + 1):
        earlier = Session.objects.create(
            cohort=session.cohort,
            number=100 + k,
            starts_at=session.starts_at - timedelta(days=1, hours=2 * k),
            time_zone="UTC",
        )
        services.mark_attendance(session=earlier, marks={person.pk: "present"})
        answered = services.answer_pulse(
            session=earlier, person=person, useful=4, safe=4, now=earlier.ends_at
        )
        assert answered
    assert services.month_of_feedback_full(session=session, person=person)
    assert not services.has_answered(session=session, person=person)
