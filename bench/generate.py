"""Generate one large organisation for the insights benchmark.

    .venv/bin/python -m bench.generate                      # 100,000 people on SQLite
    .venv/bin/python -m bench.generate --people 1000        # the small size
    .venv/bin/python -m bench.generate \\
        --database-url postgresql://postgres@127.0.0.1:5432/bw_bench

The organisation itself, its curriculum, its first program admin and its community groups
are made through the app's own services. Everything else (people, roles, data keys,
commitments, check-ins, cohorts, sessions, attendance, feedback, lesson progress and the
insights inputs) is written in bulk: `COPY ... FROM STDIN` on PostgreSQL, `executemany` in
large transactions on SQLite. Unique constraints hold by construction (one check-in per
commitment and period, one attendance per session and person, ...) and foreign keys point at
rows written earlier, so SQLite runs with its foreign-key checks on.

Encrypted columns hold real ciphertexts: every person gets a real data key, wrapped by the
data directory's master key exactly as `encryption.data_key_for` does, and each person's
commitments carry a real AES-GCM encryption of one fixed placeholder title made with that
key. Check-in notes are left empty (they are optional). Insights never reads these columns;
they are filled so that the rows look like the app's own and the tables have their real width.

The same seed and `--until` date give the same data.
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import random
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

if __package__ in {None, ""}:
    sys.path.insert(0, __file__.rsplit("/bench/", 1)[0])

from bench import _setup

SLUG = "bench"
HISTORY_DAYS = 540  # about 18 months of activity up to --until
PLACEHOLDER_TITLE = "A generated commitment (benchmark data)"
Row = tuple[Any, ...]


@dataclass
class Sizes:
    people: int
    commitments: int
    check_ins: int
    cohorts: int
    facilitators: int

    @classmethod
    def for_people(cls, people: int, check_ins: int | None) -> Sizes:
        return cls(
            people=people,
            commitments=people * 3,
            check_ins=people * 50 if check_ins is None else check_ins,
            cohorts=max(10, people // 500),
            facilitators=max(10, people // 400),
        )


def log(message: str) -> None:
    print(message, flush=True)


class BulkWriter:
    """Writes rows of one model as fast as the database takes them, and says how fast."""

    def __init__(self) -> None:
        from django.db import connection

        connection.ensure_connection()
        self.connection = connection
        self.postgres = connection.vendor == "postgresql"
        self.total_rows = 0
        self.total_seconds = 0.0

    # Values in the form each database's bulk path wants them.
    def ts(self, moment: datetime) -> str:
        text = moment.strftime("%Y-%m-%d %H:%M:%S")
        return text + "+00:00" if self.postgres else text

    def day_time(self, day: str, seconds: int) -> str:
        hours, rest = divmod(seconds, 3600)
        text = f"{day} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
        return text + "+00:00" if self.postgres else text

    def uuid(self, rng: random.Random) -> Any:
        value = uuid.UUID(int=rng.getrandbits(128), version=4)
        return value if self.postgres else value.hex

    def write(self, model: Any, fields: Sequence[str], rows: Iterable[Row]) -> int:
        meta = model._meta
        # A field added to the model after this generator was written, with a fixed default
        # (a flag, an empty reason or JSON object, a blank text), gets that default, so the
        # generator keeps working.
        named = {meta.get_field(name).name for name in fields}
        extra = [
            f
            for f in meta.concrete_fields
            if f.name not in named
            and not f.primary_key
            and not f.null
            and (
                (f.has_default() and (not callable(f.default) or f.default in (dict, list)))
                or (not f.has_default() and f.blank and f.empty_strings_allowed)
            )
        ]
        fields = [*fields, *(f.name for f in extra)]
        tail = tuple(f.get_db_prep_save(f.get_default(), self.connection) for f in extra)
        if tail:
            rows = (tuple(row) + tail for row in rows)
        columns = [meta.get_field(name).column for name in fields]
        quote = self.connection.ops.quote_name
        table = quote(meta.db_table)
        column_list = ", ".join(quote(c) for c in columns)
        started = time.perf_counter()
        count = 0
        if self.postgres:
            raw = self.connection.connection
            statement = f"COPY {table} ({column_list}) FROM STDIN"
            with raw.cursor() as cursor, cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            if not raw.autocommit:
                raw.commit()
        else:
            placeholders = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table} ({column_list}) VALUES ({placeholders})"
            raw = self.connection.connection
            for batch in itertools.batched(rows, 100_000):
                raw.execute("BEGIN")
                raw.executemany(statement, batch)
                raw.execute("COMMIT")
                count += len(batch)
        seconds = time.perf_counter() - started
        self.total_rows += count
        self.total_seconds += seconds
        rate = count / seconds if seconds else 0.0
        log(f"  {meta.db_table:<32} {count:>10,} rows {seconds:7.1f} s {rate:>10,.0f} rows/s")
        return count

    def next_id(self, model: Any) -> int:
        from django.db.models import Max

        return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def reset_sequences(self, models: Iterable[Any]) -> None:
        if not self.postgres:
            return
        from django.core.management.color import no_style

        with self.connection.cursor() as cursor:
            for statement in self.connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)

    def analyse(self) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@dataclass
class PersonFacts:
    id: int
    joined: date
    active: bool
    engagement: float  # 0..1: how much this person does
    follow_through: float  # share of check-ins that are "done"
    data_key_id: int = 0
    title_ciphertext: str = ""


@dataclass
class World:
    """What later steps need to know about the rows already written."""

    until: date
    start: date
    organisation: Any
    admin: Any
    people: list[PersonFacts] = field(default_factory=list)
    facilitator_ids: list[int] = field(default_factory=list)
    day_text: dict[int, str] = field(default_factory=dict)

    def day(self, ordinal: int) -> str:
        text = self.day_text.get(ordinal)
        if text is None:
            text = self.day_text[ordinal] = date.fromordinal(ordinal).isoformat()
        return text


def create_organisation() -> tuple[Any, Any]:
    """The organisation, its curriculum and first program admin, through the real services."""
    from bridgework.accounts.models import CommunityGroup, Organisation
    from bridgework.accounts.services import create_organisation as create

    Organisation.objects.filter(slug=SLUG).delete()
    organisation, admin = create(
        name="Bench Corp",
        admin_email="admin@bench.example.com",
        admin_name="Bench Admin",
        admin_password=None,
    )
    # create() picks a slug from the name; the benchmark finds the organisation by its own.
    Organisation.objects.filter(pk=organisation.pk).update(slug=SLUG)
    organisation.slug = SLUG
    for name in [
        "Black Employees Network",
        "Disability Network",
        "Parents and Carers",
        "Pride Network",
        "Women in Engineering",
        "Neurodiversity Circle",
    ]:
        CommunityGroup.objects.create(organisation=organisation, name=name)
    return organisation, admin


def write_people(world: World, writer: BulkWriter, sizes: Sizes, rng: random.Random) -> None:
    from bridgework.accounts.encryption import _associated
    from bridgework.accounts.models import (
        CommunityGroup,
        DataKey,
        GroupMembership,
        Person,
        Role,
        RoleAssignment,
    )
    from bridgework.lib import crypto

    first_id = writer.next_id(Person)
    count = sizes.people - 1  # the admin made by create_organisation is one of them
    span = HISTORY_DAYS + 60
    start_ordinal = world.start.toordinal() - 60
    people: list[PersonFacts] = []
    for n in range(count):
        # Rolled out over time: a third were there before the period, the rest joined since.
        offset = int(span * rng.random() ** 1.6)
        joined = date.fromordinal(min(start_ordinal + offset, world.until.toordinal() - 1))
        people.append(
            PersonFacts(
                id=first_id + n,
                joined=joined,
                active=rng.random() > 0.04,
                engagement=min(1.0, rng.betavariate(1.6, 2.2) + 0.05),
                follow_through=rng.uniform(0.35, 0.92),
            )
        )
    world.people = people

    def person_rows() -> Iterator[Row]:
        for facts in people:
            n = facts.id - first_id
            joined_at = writer.day_time(facts.joined.isoformat(), 9 * 3600 + n % 28_800)
            deactivated = None if facts.active else writer.ts(datetime.now(UTC))
            yield (
                facts.id,
                "!bench-unusable",  # starts with "!": an unusable password, no sign-in
                None,
                False,
                world.organisation.pk,
                f"person{n:06d}@bench.example.com",
                f"Person {n:06d}",
                "",
                facts.active,
                False,
                joined_at,
                deactivated,
            )

    log("people, roles, groups and data keys")
    writer.write(
        Person,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "organisation",
            "email",
            "chosen_name",
            "pronouns",
            "is_active",
            "is_staff",
            "date_joined",
            "deactivated_at",
        ],
        person_rows(),
    )
    facilitators = rng.sample(people, sizes.facilitators)
    world.facilitator_ids = sorted(p.id for p in facilitators)
    admins = rng.sample(people, 3)
    granted = writer.ts(datetime.combine(world.start, datetime.min.time()))

    def role_rows() -> Iterator[Row]:
        for facts in people:
            yield (facts.id, Role.PARTICIPANT.value, granted)
        for facts in facilitators:
            yield (facts.id, Role.FACILITATOR.value, granted)
        for facts in admins:
            yield (facts.id, Role.PROGRAM_ADMIN.value, granted)

    writer.write(RoleAssignment, ["person", "role", "granted_at"], role_rows())

    groups = list(
        CommunityGroup.objects.filter(organisation=world.organisation).values_list("pk", flat=True)
    )

    def membership_rows() -> Iterator[Row]:
        for facts in people:
            if rng.random() < 0.15:
                for group in rng.sample(groups, 1 if rng.random() < 0.8 else 2):
                    yield (
                        group,
                        facts.id,
                        "self",
                        False,
                        writer.day_time(facts.joined.isoformat(), 43_200),
                    )

    writer.write(
        GroupMembership, ["group", "person", "added_by", "is_lead", "joined_at"], membership_rows()
    )

    # Real data keys, wrapped as encryption.data_key_for wraps them, and one real ciphertext
    # of the placeholder title per person (see the module docstring).
    from django.conf import settings

    master_id, master = settings.FIELD_ENCRYPTION_KEYS[0]
    first_key = writer.next_id(DataKey)
    key_rng = random.Random(rng.getrandbits(64))

    def key_rows() -> Iterator[Row]:
        for n, facts in enumerate(people):
            key_id = first_key + n
            plain = key_rng.randbytes(32)
            facts.data_key_id = key_id
            facts.title_ciphertext = crypto.encrypt_text(
                PLACEHOLDER_TITLE, key=plain, key_id=key_id
            )
            wrapped = crypto.wrap_key(plain, master_key=master, associated=_associated(key_id))
            yield (key_id, facts.id, wrapped, master_id, granted)

    writer.write(
        DataKey, ["id", "person", "wrapped_key", "master_key_id", "created_at"], key_rows()
    )
    writer.reset_sequences([Person, DataKey])


@dataclass
class CommitmentPlan:
    id: int
    person: PersonFacts
    cadence: str
    weekdays: tuple[int, ...]
    started: int  # ordinals
    last: int  # last day that can have a check-in
    available: int


CADENCES = [("weekly", 0.55), ("daily", 0.08), ("weekdays", 0.15), ("cue", 0.14), ("once", 0.08)]


def _period_starts(plan: CommitmentPlan) -> list[int]:
    """Every period start of the commitment up to its last day (see lib.habits.periods)."""
    if plan.cadence == "once":
        return [plan.started]
    if plan.cadence == "daily":
        return list(range(plan.started, plan.last + 1))
    if plan.cadence == "weekdays":
        # Ordinal 1 (0001-01-01) is a Monday, so (ordinal - 1) % 7 is date.weekday().
        chosen = set(plan.weekdays)
        return [d for d in range(plan.started, plan.last + 1) if (d - 1) % 7 in chosen]
    first = plan.started - (plan.started - 1) % 7
    last = plan.last - (plan.last - 1) % 7
    return list(range(first, last + 1, 7))


def _count_periods(plan: CommitmentPlan) -> int:
    if plan.cadence == "once":
        return 1
    days = plan.last - plan.started + 1
    if plan.cadence == "daily":
        return days
    if plan.cadence == "weekdays":
        return max(1, round(days * len(plan.weekdays) / 7))
    return (plan.last - (plan.last - 1) % 7 - (plan.started - (plan.started - 1) % 7)) // 7 + 1


def write_practice(world: World, writer: BulkWriter, sizes: Sizes, rng: random.Random) -> None:
    from bridgework.curriculum.models import Tip
    from bridgework.practice.models import CheckIn, Commitment

    tips = list(
        Tip.objects.filter(organisation=world.organisation).values_list("pk", "practice", "courage")
    )
    until = world.until.toordinal()
    weights = list(itertools.accumulate(p.engagement for p in world.people))
    first_id = writer.next_id(Commitment)
    owners = sorted(
        (
            world.people[bisect.bisect(weights, rng.random() * weights[-1])]
            for _ in range(sizes.commitments)
        ),
        key=lambda p: p.id,
    )
    names, cut = zip(*CADENCES, strict=True)
    cumulative = list(itertools.accumulate(cut))
    plans: list[CommitmentPlan] = []
    statuses: list[str] = []
    for n, person in enumerate(owners):
        earliest = max(person.joined.toordinal(), world.start.toordinal())
        started = earliest + int((until - earliest) * rng.random())
        cadence = names[bisect.bisect(cumulative, rng.random() * cumulative[-1])]
        weekdays = (
            tuple(sorted(rng.sample(range(5), rng.choice([2, 3])))) if cadence == "weekdays" else ()
        )
        roll = rng.random()
        if cadence == "once":
            status, last = "finished", min(until, started + 7)
        elif roll < 0.3 and until - started > 60:
            status, last = "finished", started + rng.randint(30, until - started)
        elif roll < 0.4:
            status, last = "paused", started + int((until - started) * rng.random())
        else:
            status, last = "active", until
        plan = CommitmentPlan(first_id + n, person, cadence, weekdays, started, last, 0)
        plan.available = _count_periods(plan)
        plans.append(plan)
        statuses.append(status)
    # A live table receives rows in the order they are made, so one day's rows lie together
    # (bench/FINDINGS.md, F14): commitments in the order they start, ids in that order too.
    ordered = sorted(zip(plans, statuses, strict=True), key=lambda pair: pair[0].started)
    plans, statuses = [plan for plan, _ in ordered], [status for _, status in ordered]
    for n, plan in enumerate(plans):
        plan.id = first_id + n

    # One scale for everyone so the check-ins add up to the target: each commitment gets
    # min(available, available * engagement * scale) check-ins, and `scale` is found by
    # bisection over that sum.
    def expected(scale: float) -> float:
        return sum(min(p.available, p.available * p.person.engagement * scale) for p in plans)

    low, high = 0.0, 50.0
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if expected(middle) < sizes.check_ins else (low, middle)
    scale = high

    log("practice: commitments and check-ins")

    def commitment_rows() -> Iterator[Row]:
        for plan, status in zip(plans, statuses, strict=True):
            tip, practice, courage = tips[rng.randrange(len(tips))]
            started = world.day(plan.started)
            yield (
                plan.id,
                plan.person.id,
                tip,
                plan.person.title_ciphertext,
                practice,
                courage,
                plan.cadence,
                ",".join(str(d) for d in plan.weekdays),
                None,
                status,
                started,
                world.day(plan.last) if status == "paused" else None,
                "[]",
                writer.day_time(started, 8 * 3600 + plan.id % 36_000),
            )

    writer.write(
        Commitment,
        [
            "id",
            "person",
            "tip",
            "title",
            "practice",
            "courage",
            "cadence",
            "weekdays",
            "cue",
            "status",
            "started_on",
            "paused_on",
            "paused_periods",
            "created_at",
        ],
        commitment_rows(),
    )
    writer.reset_sequences([Commitment])

    def check_in_rows() -> Iterator[Row]:
        random_ = rng.random
        for plan in plans:
            wanted = plan.available * min(1.0, plan.person.engagement * scale)
            starts = _period_starts(plan)
            k = min(len(starts), int(wanted + random_()))
            if k <= 0:
                continue
            chosen = sorted(rng.sample(starts, k)) if k < len(starts) else starts
            done = plan.person.follow_through
            partly = done + (1 - done) / 2
            for period in chosen:
                roll = random_()
                outcome = "done" if roll < done else "partly" if roll < partly else "not_yet"
                # Checked in on the period's first day or one of the next two; a check-in
                # that would fall after --until has not happened yet.
                on = period + int(random_() * 3)
                if on > until:
                    continue
                yield (
                    plan.id,
                    world.day(period),
                    outcome,
                    None,
                    plan.person.id,
                    writer.day_time(world.day(on), 7 * 3600 + int(random_() * 50_000)),
                )

    writer.write(
        CheckIn,
        ["commitment", "period_start", "outcome", "note", "person", "created_at"],
        # In the order they were made, as a live table holds them (F14).
        sorted(check_in_rows(), key=lambda row: row[5]),
    )


def write_learning(world: World, writer: BulkWriter, rng: random.Random) -> None:
    from bridgework.curriculum.models import Lesson, LessonProgress

    lessons = list(
        Lesson.objects.filter(module__organisation=world.organisation).values_list("pk", flat=True)
    )
    until = world.until.toordinal()

    def rows() -> Iterator[Row]:
        for person in world.people:
            if rng.random() > 0.35 + 0.6 * person.engagement:
                continue
            joined = max(person.joined.toordinal(), world.start.toordinal())
            k = max(1, int(len(lessons) * person.engagement * rng.random()))
            for lesson in rng.sample(lessons, min(k, len(lessons))):
                day = joined + int((until - joined) * rng.random())
                yield (person.id, lesson, writer.day_time(world.day(day), 36_000 + lesson % 3600))

    log("learning: lesson progress")
    writer.write(
        LessonProgress,
        ["person", "lesson", "completed_at"],
        sorted(rows(), key=lambda row: row[2]),  # in the order they were made (F14)
    )


def write_cohorts(world: World, writer: BulkWriter, sizes: Sizes, rng: random.Random) -> None:
    from bridgework.cohorts.models import (
        Attendance,
        Cohort,
        Membership,
        PulseAnswer,
        PulseResponse,
        Session,
    )
    from bridgework.curriculum.models import Module

    modules = list(
        Module.objects.filter(organisation=world.organisation)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    until = world.until.toordinal()
    first_cohort = writer.next_id(Cohort)
    first_session = writer.next_id(Session)
    created = writer.ts(datetime.combine(world.start, datetime.min.time()))

    # A spread of sizes: most cohorts of a few hundred, and a few with under five people so
    # that the dashboard has cells to suppress.
    cohort_sizes = [
        rng.randint(2, 4)
        if n % 50 == 7
        else int(rng.uniform(60, 540) * min(1.0, sizes.people / 100_000) + 6)
        for n in range(sizes.cohorts)
    ]
    starts = [
        world.start.toordinal() - 30 + int((HISTORY_DAYS + 60) * n / sizes.cohorts)
        for n in range(sizes.cohorts)
    ]

    def cohort_rows() -> Iterator[Row]:
        for n, start in enumerate(starts):
            yield (
                first_cohort + n,
                world.organisation.pk,
                f"Cohort {n + 1:03d}",
                "",
                world.day(start),
                "same_weekday",
                "UTC",
                n % 3 == 0,
                world.admin.pk,
                created,
            )

    log("cohorts: cohorts, sessions, memberships, attendance, feedback")
    writer.write(
        Cohort,
        [
            "id",
            "organisation",
            "name",
            "description",
            "start_date",
            "cadence",
            "time_zone",
            "open_to_join",
            "created_by",
            "created_at",
        ],
        cohort_rows(),
    )
    facilitators_table = Cohort.facilitators.through
    modules_table = Cohort.modules.through
    writer.write(
        facilitators_table,
        ["cohort", "person"],
        (
            (first_cohort + n, pid)
            for n in range(sizes.cohorts)
            for pid in sorted(set(rng.sample(world.facilitator_ids, rng.choice([1, 2]))))
        ),
    )
    writer.write(
        modules_table,
        ["cohort", "module"],
        ((first_cohort + n, m) for n in range(sizes.cohorts) for m in modules),
    )

    sessions: list[tuple[int, int, int]] = []  # (session id, cohort index, day ordinal)
    for n, start in enumerate(starts):
        for number in range(12):
            sessions.append((first_session + len(sessions), n, start + 28 * number))

    def session_rows() -> Iterator[Row]:
        for sid, n, day in sessions:
            number = sid - first_session - 12 * n + 1
            yield (
                sid,
                first_cohort + n,
                number,
                modules[(number - 1) % len(modules)],
                writer.day_time(world.day(day), 16 * 3600),
                "UTC",
                90,
                "",
                "",
                writer.uuid(rng),
                0,
                created,
            )

    writer.write(
        Session,
        [
            "id",
            "cohort",
            "number",
            "module",
            "starts_at",
            "time_zone",
            "duration_minutes",
            "location",
            "video_link",
            "uid",
            "sequence",
            "updated_at",
        ],
        session_rows(),
    )
    writer.reset_sequences([Cohort, Session])

    members: list[list[PersonFacts]] = [
        sorted(rng.sample(world.people, min(size, len(world.people))), key=lambda p: p.id)
        for size in cohort_sizes
    ]
    writer.write(
        Membership,
        ["cohort", "person", "status", "created_at"],
        (
            (first_cohort + n, p.id, "member", writer.day_time(world.day(starts[n] - 7), 3600))
            for n, group in enumerate(members)
            for p in group
        ),
    )

    answered: list[tuple[int, int]] = []  # (session, person) for pulse responses

    def attendance_rows() -> Iterator[Row]:
        for sid, n, day in sessions:
            if day > until:
                continue
            marked = writer.day_time(world.day(day), 18 * 3600)
            for person in members[n]:
                present = rng.random() < 0.45 + 0.5 * person.engagement
                if present and rng.random() < 0.45:
                    answered.append((sid, person.id))
                yield (sid, person.id, "present" if present else "absent", "facilitator", marked)

    writer.write(
        Attendance,
        ["session", "person", "status", "source", "marked_at"],
        sorted(attendance_rows(), key=lambda row: row[4]),  # in the order they were marked (F14)
    )
    writer.write(PulseResponse, ["session", "person"], iter(answered))
    writer.write(
        PulseAnswer,
        ["id", "session", "useful", "safe", "line"],
        (
            (writer.uuid(rng), sid, rng.choice((3, 4, 4, 5, 5)), rng.choice((2, 3, 4, 4, 5)), "")
            for sid, _ in answered
        ),
    )
    # As marking someone present does: the session keeps its time, its pulse its month.
    clock = world.organisation.clock
    attended = list(
        Session.objects.filter(
            cohort__organisation=world.organisation, attendance__status="present"
        ).distinct()
    )
    for session in attended:
        session.was_attended, session.pulse_month = True, session.pulse_month_on(clock)
    Session.objects.bulk_update(attended, ["was_attended", "pulse_month"], batch_size=1000)


def write_community(
    world: World, writer: BulkWriter, rng: random.Random, *, threads: int, posts_per_thread: int
) -> None:
    """One busy space for everyone (`threads` threads of `posts_per_thread` posts), five quiet
    ones, reactions on about half the posts, and read markers for the first 50 people and every
    facilitator on half the threads (the page benchmark signs in as some of them)."""
    from bridgework.community.models import (
        GuidelinesAcceptance,
        Post,
        Reaction,
        Space,
        Thread,
        ThreadRead,
    )

    log("community: spaces, threads, posts, reactions, read markers")
    created = writer.ts(datetime.combine(world.start, datetime.min.time()))
    first_space = writer.next_id(Space)
    names = ["Open conversations", *[f"Quiet corner {n}" for n in range(1, 6)]]
    writer.write(
        Space,
        [
            "id",
            "organisation",
            "name",
            "slug",
            "description",
            "audience",
            "guidelines",
            "is_archived",
            "created_by",
            "created_at",
        ],
        (
            (
                first_space + n,
                world.organisation.pk,
                name,
                name.lower().replace(" ", "-"),
                "Generated for the page benchmark.",
                "organisation",
                "Be kind.",
                False,
                world.admin.pk,
                created,
            )
            for n, name in enumerate(names)
        ),
    )
    facilitators = world.facilitator_ids[:5]
    writer.write(
        Space.facilitators.through,
        ["space", "person"],
        ((first_space + n, pid) for n in range(len(names)) for pid in facilitators),
    )
    ids = [p.id for p in world.people if p.active]
    readers = sorted({*ids[:50], *world.facilitator_ids})
    writer.write(
        GuidelinesAcceptance,
        ["space", "person", "accepted_at"],
        ((first_space + n, pid, created) for n in range(len(names)) for pid in readers),
    )
    # The busy space gets `threads`; each quiet one five threads of three posts.
    plan = [(first_space, threads, posts_per_thread)] + [
        (first_space + n, 5, 3) for n in range(1, len(names))
    ]
    first_thread = writer.next_id(Thread)
    first_post = writer.next_id(Post)
    start = datetime.combine(world.start, datetime.min.time())
    span = (world.until - world.start).days * 86_400
    thread_rows: list[Row] = []
    post_rows: list[Row] = []
    last_post: list[datetime] = []
    body = (
        "I tried the practice from this month's module in a meeting and it went better than "
        "I expected. Has anyone else found a way to keep it going when the room gets busy?"
    )
    body_html = f"<p>{body}</p>"
    for space_id, count, posts in plan:
        for _ in range(count):
            thread_id = first_thread + len(thread_rows)
            gaps = [timedelta(minutes=rng.randint(5, 600)) for _ in range(posts)]
            # Every post is in the past: a thread that opened late ends by the last day,
            # as a real one would (a reader's "last read" is never before a future post).
            length = sum(gaps[:-1], timedelta()).total_seconds()
            opened = start + timedelta(seconds=int(max(span - length, 0) * rng.random()))
            moment = last = opened
            for gap in gaps:
                post_rows.append(
                    (
                        first_post + len(post_rows),
                        space_id,
                        thread_id,
                        ids[rng.randrange(len(ids))],
                        body,
                        body_html,
                        writer.ts(moment),
                        None,
                        "shown",
                        "",
                    )
                )
                last = moment
                moment += gap
            last_post.append(last)
            thread_rows.append(
                (
                    thread_id,
                    space_id,
                    f"Thread {len(thread_rows) + 1}: keeping a practice going",
                    ids[rng.randrange(len(ids))],
                    writer.ts(opened),
                    writer.ts(last),
                    posts - 1,
                    False,
                    "",
                )
            )
    writer.write(
        Thread,
        [
            "id",
            "space",
            "title",
            "author",
            "created_at",
            "last_activity_at",
            "reply_count",
            "is_locked",
            "lock_reason",
        ],
        thread_rows,
    )
    writer.write(
        Post,
        [
            "id",
            "space",
            "thread",
            "author",
            "body",
            "body_html",
            "created_at",
            "edited_at",
            "status",
            "moderation_reason",
        ],
        post_rows,
    )
    kinds = ["thanks", "agree", "learned", "support"]

    def reaction_rows() -> Iterator[Row]:
        for row in post_rows:
            if rng.random() < 0.5:
                people = rng.sample(ids, rng.randint(1, 4))
                for pid in people:
                    yield (row[0], pid, kinds[rng.randrange(4)], row[6])

    writer.write(Reaction, ["post", "person", "kind", "created_at"], reaction_rows())

    def read_rows() -> Iterator[Row]:
        for n, row in enumerate(thread_rows):
            if n % 2:
                continue
            for pid in readers:
                yield (row[0], pid, row[1], writer.ts(last_post[n]))

    writer.write(ThreadRead, ["thread", "person", "space", "last_read_at"], read_rows())
    writer.reset_sequences([Space, Thread, Post, Reaction, ThreadRead])


def insights_steps() -> list[Callable[[World, BulkWriter, random.Random], None]]:
    """Inputs of the insights app (self-ratings, safety pulse) when that app is installed."""
    from django.apps import apps

    if not apps.is_installed("bridgework.insights"):
        log("insights is not installed: no self-ratings or safety pulse generated")
        return []
    from bench import insights_inputs

    return list(insights_inputs.STEPS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument(
        "--check-ins", type=int, default=None, help="default: 50 per person (5,000,000)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="postgresql://... or a SQLite file (default: bench/.data/bench-<people>.sqlite3)",
    )
    parser.add_argument("--cohorts", type=int, default=None, help="default: one per 500 people")
    parser.add_argument(
        "--threads",
        type=int,
        default=0,
        help="community threads in one busy space (default: no community data)",
    )
    parser.add_argument("--posts-per-thread", type=int, default=20)
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--until", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    url = args.database_url or _setup.default_sqlite_path(args.people)
    sizes = Sizes.for_people(args.people, args.check_ins)
    if args.cohorts is not None:
        sizes.cohorts = args.cohorts
    log(f"Generating {sizes} into {_setup.describe(url)} (seed {args.seed}, until {args.until})")
    started = time.perf_counter()
    if _setup.is_postgres(url):
        _setup.create_postgres_database(url, fresh=True)
    else:
        path = _setup.sqlite_path(url)
        for suffix in ("", "-wal", "-shm"):
            path.with_name(path.name + suffix).unlink(missing_ok=True)
    _setup.configure(url)

    from django.core.management import call_command
    from django.db import connection

    log("migrating")
    call_command("migrate", verbosity=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            # Only while loading: a crash means generating again anyway.
            cursor.execute("PRAGMA synchronous=OFF")
    rng = random.Random(args.seed)
    organisation, admin = create_organisation()
    world = World(
        until=args.until,
        start=args.until - timedelta(days=HISTORY_DAYS),
        organisation=organisation,
        admin=admin,
    )
    writer = BulkWriter()
    write_people(world, writer, sizes, rng)
    write_practice(world, writer, sizes, rng)
    write_learning(world, writer, rng)
    write_cohorts(world, writer, sizes, rng)
    if args.threads:
        write_community(
            world, writer, rng, threads=args.threads, posts_per_thread=args.posts_per_thread
        )
    for step in insights_steps():
        step(world, writer, rng)
    log("analysing")
    writer.analyse()
    seconds = time.perf_counter() - started
    log(
        f"done: {writer.total_rows:,} rows in {seconds:.0f} s "
        f"({writer.total_rows / writer.total_seconds:,.0f} rows/s while writing)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
