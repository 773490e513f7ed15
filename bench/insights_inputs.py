"""Inputs that the insights app owns: practice self-ratings and the safety pulse.

`generate.py` runs `STEPS` after the other apps' rows exist. Self-ratings are written as the
practice service writes them (through insights' own subject key, one row per person and
practice for the organisation and one per cohort the person belongs to); the safety pulse as
the pulse form writes it: who answered in one table, what was answered in another.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.generate import BulkWriter, World

Row = tuple[Any, ...]


def write_growth(world: World, writer: BulkWriter, rng: random.Random) -> None:
    from bridgework.cohorts.models import Membership
    from bridgework.curriculum.vocabulary import Practice
    from bridgework.insights.models import GrowthScore
    from bridgework.insights.subjects import subject_key

    practices = [p.value for p in Practice]
    until = world.until.toordinal()
    cohorts_of: dict[int, list[int]] = {}
    for cohort, person in Membership.objects.filter(
        cohort__organisation=world.organisation, status=Membership.Status.MEMBER
    ).values_list("cohort", "person"):
        cohorts_of.setdefault(person, []).append(cohort)

    def rows() -> Iterator[Row]:
        for person in world.people:
            # Most people take the self-assessment once; the engaged ones come back to it.
            if rng.random() > 0.45 + 0.5 * person.engagement:
                continue
            first = max(person.joined.toordinal(), world.start.toordinal())
            baseline_on = first + int(min(30, until - first) * rng.random())
            again = rng.random() < 0.3 + 0.6 * person.engagement and until - baseline_on > 30
            latest_on = baseline_on + rng.randint(30, until - baseline_on) if again else baseline_on
            taken = rng.randint(2, 6) if again else 1
            subject = subject_key(person.id)
            growth = 0.5 * person.engagement
            for practice in practices:
                baseline = min(4.0, max(0.0, round(rng.gauss(1.7, 0.7) * 4) / 4))
                change = rng.gauss(growth, 0.55) if again else 0.0
                latest = min(4.0, max(0.0, round((baseline + change) * 4) / 4))
                for cohort in [None, *cohorts_of.get(person.id, [])]:
                    yield (
                        world.organisation.pk,
                        cohort,
                        subject,
                        practice,
                        baseline,
                        latest,
                        world.day(baseline_on),
                        world.day(latest_on),
                        taken,
                        # Changed at the start of the day it was taken: never later than
                        # the moment the benchmark runs.
                        writer.day_time(world.day(latest_on), 0),
                    )

    print("insights: practice self-ratings", flush=True)
    writer.write(
        GrowthScore,
        [
            "organisation",
            "cohort",
            "subject",
            "practice",
            "baseline",
            "latest",
            "baseline_on",
            "latest_on",
            "assessments",
            "changed_at",
        ],
        rows(),
    )


def write_safety_pulse(world: World, writer: BulkWriter, rng: random.Random) -> None:
    from bridgework.cohorts.models import Cohort, Membership
    from bridgework.insights.models import SafetyAnswer, SafetyPulse, SafetyResponse

    until = world.until.toordinal()
    first_pulse = writer.next_id(SafetyPulse)
    created = writer.day_time(world.day(world.start.toordinal()), 32_400)
    # Every quarter an organisation-wide pulse, and every cohort one pulse each quarter of
    # its run; each open for two weeks.
    pulses: list[tuple[int, int | None, int]] = []  # (id, cohort, opens on)
    for opens in range(world.start.toordinal() + 30, until - 14, 91):
        pulses.append((first_pulse + len(pulses), None, opens))
    members: dict[int, list[int]] = {}
    for cohort, person in Membership.objects.filter(
        cohort__organisation=world.organisation, status=Membership.Status.MEMBER
    ).values_list("cohort", "person"):
        members.setdefault(cohort, []).append(person)
    for cohort, start in Cohort.objects.filter(organisation=world.organisation).values_list(
        "pk", "start_date"
    ):
        for opens in range(start.toordinal() + 60, min(until - 14, start.toordinal() + 330), 91):
            pulses.append((first_pulse + len(pulses), cohort, opens))

    print("insights: safety pulse", flush=True)
    writer.write(
        SafetyPulse,
        ["id", "organisation", "cohort", "opens_on", "closes_on", "created_by", "created_at"],
        (
            (
                pid,
                world.organisation.pk,
                cohort,
                world.day(opens),
                world.day(opens + 13),
                None,
                created,
            )
            for pid, cohort, opens in pulses
        ),
    )
    writer.reset_sequences([SafetyPulse])
    everyone = [p.id for p in world.people if p.active]
    answered: list[int] = []

    def response_rows() -> Iterator[Row]:
        for pid, cohort, _ in pulses:
            population = everyone if cohort is None else members.get(cohort, [])
            share = 0.25 if cohort is None else 0.55
            for person in rng.sample(population, int(len(population) * share)):
                answered.append(pid)
                yield (pid, person)

    writer.write(SafetyResponse, ["pulse", "person"], response_rows())

    def answer_rows() -> Iterator[Row]:
        scale = (2, 3, 3, 4, 4, 4, 5, 5)
        for pid in answered:
            yield (writer.uuid(rng), pid, *(rng.choice(scale) for _ in range(5)))

    writer.write(
        SafetyAnswer,
        ["id", "pulse", "speak_up", "mistakes", "ask_for_help", "different_views", "take_risks"],
        answer_rows(),
    )


STEPS: list[Callable[[World, BulkWriter, random.Random], None]] = [
    write_growth,
    write_safety_pulse,
]
