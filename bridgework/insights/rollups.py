"""Rollups: the only tables the insights dashboard reads, built with set-based SQL.

Public entry points (stable; the benchmarks in bench/ call them):

- `update_day(organisation=, day=)` folds one day's activity into the rollups and refreshes
  the finished cells. Incremental and idempotent: running it twice, or for a day with
  nothing new, changes nothing. The worker runs it for today and yesterday every 15 minutes
  (`tasks.refresh_insights`). Its cost follows the day's activity, not the history: the
  day's events are read once into a temporary table, then one row per person active that
  day (PersonActivity), the month totals and the people counts (LastActiveMonth,
  RetentionCount) move by the difference. Refresh first folds what changed in the answers
  (GrowthScore rows changed since the last fold into GrowthMonth, sessions whose pulse has
  closed into SessionFeedback, closed safety pulses into SafetyTotal), then works out the
  cells from these small tables and rewrites only the cells that changed (growth, feedback,
  safety and retention only when their inputs changed or a new month moved the periods).
- `rebuild(organisation=)` throws the organisation's rollups away and builds them again from
  the source tables. The worker runs it nightly (`tasks.rebuild_insights`), which also picks
  up what the day-by-day path cannot see (a check-in corrected long after, attendance marked
  late, someone joining a cohort, an erased account). By hand:
  `bridgework manage rebuild_insights [--org SLUG]`.

Source tables read (never an encrypted column): accounts.Person (organisation, date_joined,
is_active), practice.Commitment (person, practice, courage, created_at), practice.CheckIn
(person, commitment, outcome, created_at), curriculum.LessonProgress (person, completed_at),
cohorts.Membership (status member), cohorts.Attendance (status present, marked_at,
session.cohort), cohorts.Session (starts_at) with cohorts.PulseAnswer (useful, safe; never
`line`), and insights' own inputs GrowthScore, SafetyPulse and SafetyAnswer. Days are
calendar days in the server's time zone (settings.TIME_ZONE).

Tables and what one row means:

- `DayTotal(organisation, cohort|NULL, day, practice, courage, commitments, check_ins, kept,
  partly, lessons, attended)`: additive counts of one day for the organisation (cohort NULL)
  or one cohort (activity of its current members; attendance of its sessions). Commitment
  and check-in rows carry a practice and courage level; lesson and attendance rows have
  practice "" and courage 0. Several rows may share a key (the rebuild writes one per
  source); readers sum.
- `MonthTotal(... month ...)`: the same, summed over a calendar month; one row per key.
- `EarlierTotal(organisation, cohort|NULL, period, practice, courage, ...)`: MonthTotal summed
  over each period's months before the current one, per breakdown bucket (everything, one
  practice, one courage level). A refresh adds the current month's rows to it. When the
  month moves on it is rolled forward (add the month just ended, take away the months that
  left each period); after a rebuild, or when a fold changed an earlier month, it is added up
  again (RollupState.earlier_month).
- `PersonActivity(organisation, person, joined_month, months, any_on, lesson_on, ...)`: one
  row per person. `months` is a bitmap of the calendar months since joining in which the
  person did anything (retention). The date columns say when they last did each counted
  thing (`COUNTED` below): anything (`any_on`, the day: the last 30 days are counted from
  it); a lesson, a session attended, a commitment or check-in at all, in one practice, or at
  one courage level (the first day of the month: only the month is counted, so a fold
  rewrites them once a month rather than every day someone is active).
- `LastActiveMonth(organisation, cohort|NULL, kind, practice, courage, month, people)`: how
  many people of the scope last did one counted thing (kind follow with a practice, a
  courage level or neither; lesson, attendance, any) in that month, by its PersonActivity
  column; for `any`, `month` is the day itself (the people active in the last 30 days are
  the sum over those days). Every period ends today and starts on the first of a month, so
  the people who did something in a period are the sum over the months from its start. A
  fold moves people from their old month (or day) to the day's; the cohort rows follow
  memberships as they were when the person was folded (the nightly rebuild catches up).
- `RetentionCount(organisation, cohort|NULL, kind, number, people)`: people of the scope who
  joined in month `number` (kind joined), or who were active in the k-th month after joining
  (kind active, `number` = k < 12). Moved by each fold as it adds people and marks months.
- `GrowthMonth(organisation, cohort|NULL, practice, month, people, change, squares,
  baselines)`: sums over the GrowthScore rows with two assessments or more whose latest
  rating fell in that month. Each GrowthScore row keeps what it adds (`counted_*`); the fold
  takes that away and adds what the row adds now.
- `SessionFeedback(organisation, session, cohort, starts_at, answers, useful, safe, good)`:
  one session's pulse answers, added up once when the pulse has closed.
- `SafetyTotal(organisation, pulse, answers, <item>, <item>_agree ...)`: one safety pulse's
  answers, added up once when it has closed: the sum of each statement's ratings and how
  many agreed (4-5).
- `Cell(organisation, cohort|NULL, period, section, key, people, value..value4, hidden)`:
  the finished, suppressed numbers of one view. Sections and values:

  - participation / enrolled: people = value = active people (a cohort: its members).
  - participation / active30: people = value = people active in the last 30 days;
    value2 = enrolled.
  - participation / lessons: people who completed a lesson; value = lessons completed.
  - participation / attended: people who attended a session; value = attendances.
  - retention / 0..11 (months since joining): people = value = people active that month;
    value2 = people who joined at least that many months ago (the denominator). Months since
    joining do not depend on the period: stored once, under period `all`, and shown with
    every period.
  - practice / <practice slug> and practice / total, courage / 1..4: people who made a
    commitment or checked in; value = commitments, value2 = check-ins, value3 = kept (done),
    value4 = partly.
  - growth / <practice slug>: people with a baseline and a later rating; value = sum of
    changes, value2 = sum of squared changes, value3 = sum of baselines.
  - feedback / all: answers from closed session pulses with at least the threshold of
    answers; value = sum of "useful", value2 = sum of "safe", value3 = sessions, value4 =
    answers rating the session useful (4-5).
  - safety / <pulse id>|<opens>|<closes>|<item>: responses to a closed pulse; value = sum
    of ratings, value2 = responses agreeing (4-5).

  `hidden` is "" (shown), "small" (fewer than the threshold), "difference" (another view
  differs from this one by a few people) or "complement" (hidden so that a hidden
  neighbour cannot be worked out from the total).

Inputs for generators (bench/): GrowthScore rows as described on the model (subject = any
64-character pseudonym, practice = a Practice value, baseline/latest 0-4, assessments >= 2 for
the row to count), SafetyPulse with SafetyResponse / SafetyAnswer rows (answers 1-5).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.db.models.functions import (
    Cast,
    ExtractMonth,
    ExtractYear,
    Substr,
    TruncDate,
)
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts.models import (
    PULSE_OPEN_DAYS,
    Attendance,
    Membership,
    PulseAnswer,
    Session,
)
from bridgework.curriculum.models import LessonProgress
from bridgework.curriculum.vocabulary import Courage, Practice
from bridgework.lib import suppression
from bridgework.practice.models import CheckIn, Commitment

from .models import (
    PERIOD_MONTHS,
    RETENTION_PERIOD,
    Cell,
    DayTotal,
    EarlierTotal,
    GrowthMonth,
    GrowthScore,
    LastActiveMonth,
    MonthTotal,
    Period,
    PersonActivity,
    RetentionCount,
    RollupState,
    SafetyAnswer,
    SafetyPulse,
    SafetyTotal,
    SessionFeedback,
    Trace,
)
from .pulse import ITEMS as SAFETY_ITEMS
from .suppression_settings import min_cell

MEMBER = Membership.Status.MEMBER
RETENTION_MONTHS = 12
# Bits of a signed 64-bit integer we may set.
MONTH_BITS = 63
# The longest a session can last; its pulse has closed this long after it starts.
PULSE_CLOSED_AFTER = timedelta(days=PULSE_OPEN_DAYS, minutes=480)

FOLLOW_KINDS = [Trace.COMMITMENT, Trace.CHECK_IN]
TOTAL_FIELDS = ["commitments", "check_ins", "kept", "partly", "lessons", "attended"]
PERIOD_ORDER: list[str] = [str(p) for p in (Period.MONTH, Period.QUARTER, Period.YEAR, Period.ALL)]
REBUILT = (
    DayTotal,
    MonthTotal,
    PersonActivity,
    LastActiveMonth,
    RetentionCount,
    GrowthMonth,
    SessionFeedback,
    EarlierTotal,
    SafetyTotal,
)


@dataclass(frozen=True)
class Counted:
    """One thing LastActiveMonth counts people by, and the PersonActivity column that keeps
    when each person last did it."""

    column: str
    kind: Trace
    practice: str = ""
    courage: int = 0

    @property
    def condition(self) -> str:
        """SQL: whether an event row (kind, practice, courage) is doing this thing. Practices
        and kinds are fixed choices, never user input."""
        if self.kind == Trace.ANY:
            return "1 = 1"
        if self.kind != Trace.FOLLOW:
            return f"kind = '{self.kind.value}'"
        follow = f"kind IN ({_kinds(FOLLOW_KINDS)})"
        if self.practice:
            return f"{follow} AND practice = '{Practice(self.practice).value}'"
        if self.courage:
            return f"{follow} AND courage = {int(self.courage)}"
        return follow

    def kept_of(self, day: date) -> date:
        """What the column keeps of a day: the day itself for "any", else its month."""
        return day if self.kind == Trace.ANY else _month_start(day)

    def kept(self, column: str) -> str:
        """SQL: what the column keeps of the date in `column`."""
        return column if self.kind == Trace.ANY else _month_first_sql(column)


COUNTED: list[Counted] = [
    Counted("any_on", Trace.ANY),
    Counted("lesson_on", Trace.LESSON),
    Counted("attendance_on", Trace.ATTENDANCE),
    Counted("follow_on", Trace.FOLLOW),
    *(
        Counted(f"follow_{practice.replace('-', '_')}_on", Trace.FOLLOW, practice=practice)
        for practice in Practice.values
    ),
    *(
        Counted(f"follow_courage_{level}_on", Trace.FOLLOW, courage=level)
        for level in Courage.values
    ),
]
# A practice or courage level without its column fails here, at import, not in a fold.
for _counted in COUNTED:
    PersonActivity._meta.get_field(_counted.column)
# So does a safety statement without its two columns.
for _item in SAFETY_ITEMS:
    SafetyTotal._meta.get_field(_item.field)
    SafetyTotal._meta.get_field(f"{_item.field}_agree")


# --- public entry points -------------------------------------------------------------------


def update_day(*, organisation: Organisation, day: date, today: date | None = None) -> None:
    """Fold one day's activity into the rollups, then refresh the finished cells as of
    `today` (by default the real today; the benchmark passes the last day it generated)."""
    fold_day(organisation=organisation, day=day)
    refresh(organisation=organisation, today=today)


def fold_day(*, organisation: Organisation, day: date) -> None:
    """The incremental part of update_day, without refreshing the cells.

    The day's activity is read from the sources once, into a temporary table of events, and
    everything else is worked out from that table: the cost follows the day's activity, not
    the size of the history."""
    start, end = _bounds(day, day + timedelta(days=1))
    with transaction.atomic():
        _lock(organisation)
        if connection.vendor == "postgresql":
            # Room for the day's joins to hash in memory (the default, 4 MB, spills a whole
            # day's check-ins to disk), for this transaction only.
            _execute("SET LOCAL work_mem = '64MB'")
            # The fold's temporary tables are analysed only for their size and how many
            # people they hold: a sample of 3,000 rows tells that as well as the default
            # 30,000 (a whole day's events), in a tenth of the time.
            _execute("SET LOCAL default_statistics_target = 10")
        with _day_events(organisation, start, end):
            _fold_totals(organisation, day)
            _fold_people(organisation, day)


def rebuild(*, organisation: Organisation) -> None:
    """Build the organisation's rollups again from scratch."""
    started = timezone.now()
    with _sqlite_memory(), transaction.atomic():
        _lock(organisation)
        if connection.vendor == "postgresql":
            # The rebuild groups millions of rows; with the default 4 MB each grouping spills
            # to disk. For this transaction only.
            _execute("SET LOCAL work_mem = '256MB'")
        for model in REBUILT:
            _delete_rows_of(organisation, model)
        _fill_days(organisation)
        _roll_months(organisation)
        _mark_months(organisation)
        _count_retention(organisation)
        _last_done(organisation)
        _count_last_months(organisation)
        _count_growth(organisation)
        RollupState.objects.filter(organisation=organisation).update(
            growth_at=started, earlier_month=None
        )
    for model in REBUILT:
        _analyse(_quote(model._meta.db_table), vacuum=True)
    refresh(organisation=organisation, everything=True)
    # Each refresh rewrites thousands of cells in place; where autovacuum is off, nothing
    # else frees the old versions, and without free room on their pages PostgreSQL cannot
    # update a cell on its page (see migration 0012).
    _analyse(_quote(Cell._meta.db_table), vacuum=True)


@contextmanager
def _sqlite_memory() -> Iterator[None]:
    """On SQLite, for the rebuild only: read the file through memory mapping and keep up to
    256 MB of pages. Its joins look up a commitment and a person for each of 5 million
    check-ins in the order they were made; through SQLite's default 2 MB page cache each
    lookup is a read from the operating system (rebuild 117-144 -> 78 s, bench/FINDINGS.md,
    F14)."""
    if connection.vendor != "sqlite":
        yield
        return
    # An in-memory database (the tests) answers nothing for mmap_size.
    before = {
        name: rows[0][0]
        for name in ("cache_size", "mmap_size")
        if (rows := _fetch(f"PRAGMA {name}"))
    }
    _execute("PRAGMA cache_size = -262144")
    _execute("PRAGMA mmap_size = 2147418112")  # SQLite's largest unless compiled otherwise
    try:
        yield
    finally:
        for name, value in before.items():
            _execute(f"PRAGMA {name} = {int(value)}")


def _delete_rows_of(organisation: Organisation, model: type[models.Model]) -> None:
    if (
        connection.vendor == "sqlite"
        and not model._default_manager.exclude(organisation=organisation).exists()
    ):
        # Only this organisation's rows: a DELETE without WHERE frees whole pages instead of
        # removing 1.6 million rows one by one (6 s). SQLite writes one transaction at a
        # time, so nobody can add another organisation's rows in between.
        _execute(f"DELETE FROM {_quote(model._meta.db_table)}")
    else:
        model._default_manager.filter(organisation=organisation).delete()


def _lock(organisation: Organisation) -> None:
    """One fold or rebuild of an organisation at a time: folds read counts, add to them and
    write them back. (SQLite writes one transaction at a time anyway.)"""
    RollupState.objects.get_or_create(organisation=organisation)
    list(RollupState.objects.select_for_update().filter(organisation=organisation).values("pk"))


# --- dates ---------------------------------------------------------------------------------


def _bounds(first: date, after: date) -> tuple[datetime, datetime]:
    zone = timezone.get_default_timezone()
    return (
        datetime.combine(first, time.min, tzinfo=zone),
        datetime.combine(after, time.min, tzinfo=zone),
    )


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _months_back(day: date, months: int) -> date:
    index = _month_index(day) - months
    return date(index // 12, index % 12 + 1, 1)


def period_start(period: str, today: date) -> date | None:
    months = PERIOD_MONTHS[period]
    return None if months is None else _months_back(today, months)


def _plain_sqlite_utc() -> bool:
    """SQLite keeps datetimes as UTC text ('YYYY-MM-DD HH:MM:SS'); in UTC its leading
    characters are the local date. Django's date functions on SQLite call back into Python for
    every row, which dominates a rebuild over millions of rows, so read the text instead."""
    return connection.vendor == "sqlite" and timezone.get_current_timezone_name() == "UTC"


def _local_date(field: Any) -> Any:
    if _plain_sqlite_utc():
        return Substr(field, 1, 10, output_field=models.DateField())
    return TruncDate(field)


def _local_month(field: str) -> Any:
    """year * 12 + month - 1 of the moment, in the current time zone."""
    if _plain_sqlite_utc():
        year = Cast(Substr(field, 1, 4), models.IntegerField())
        month = Cast(Substr(field, 6, 2), models.IntegerField())
        return year * 12 + month - 1
    # PostgreSQL's EXTRACT gives a numeric; the bit shifts need an integer.
    return Cast(ExtractYear(field) * 12 + ExtractMonth(field) - 1, models.IntegerField())


# --- SQL helpers ---------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _insert_select(
    model: type[models.Model],
    columns: Sequence[str],
    queryset: models.QuerySet[Any],
    *,
    on_conflict: str = "",
) -> int:
    """INSERT INTO model (columns) SELECT ... — the SELECT built by the ORM, so the rows never
    pass through Python. The queryset's values_list must name the columns in order."""
    sql, params = queryset.query.sql_with_params()
    table = _quote(model._meta.db_table)
    fields = [model._meta.get_field(c) for c in columns]
    names = ", ".join(_quote(str(f.column)) for f in fields if isinstance(f, models.Field))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({names}) {sql} {on_conflict}", params)
        return int(cursor.rowcount)


def _rows(queryset: Iterable[Any]) -> list[dict[str, Any]]:
    """Rows of a values() query as plain dictionaries."""
    return [dict(row) for row in queryset]


def _constants(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in values.items():
        if value is None:
            out[name] = Cast(Value(None), models.BigIntegerField())
        elif isinstance(value, str):
            out[name] = Value(value, output_field=models.CharField())
        else:
            out[name] = Value(value, output_field=models.IntegerField())
    return out


# --- day and month totals ------------------------------------------------------------------


def _fill_days(organisation: Organisation) -> None:
    """Day totals of the whole history, one INSERT ... SELECT per source (the rebuild)."""
    org = organisation.pk
    member = Q(person__cohort_memberships__status=MEMBER)
    by_membership = F("person__cohort_memberships__cohort_id")
    plain = Value("", output_field=models.CharField())
    none = Value(0, output_field=models.IntegerField())

    commitments = Commitment.objects.filter(person__organisation_id=org)
    check_ins = CheckIn.objects.filter(person__organisation_id=org)
    lessons = LessonProgress.objects.filter(person__organisation_id=org)
    present = Attendance.objects.filter(
        session__cohort__organisation_id=org,
        status=Attendance.Status.PRESENT,
    )
    follow = {"p": F("commitment__practice"), "g": F("commitment__courage")}
    kept = {
        "check_ins": Count("pk"),
        "kept": Count("pk", filter=Q(outcome="done")),
        "partly": Count("pk", filter=Q(outcome="partly")),
    }
    sources: list[tuple[models.QuerySet[Any], Any, str, dict[str, Any], dict[str, Any]]] = [
        (
            commitments,
            None,
            "created_at",
            {"p": F("practice"), "g": F("courage")},
            {"commitments": Count("pk")},
        ),
        (
            commitments.filter(member),
            by_membership,
            "created_at",
            {"p": F("practice"), "g": F("courage")},
            {"commitments": Count("pk")},
        ),
        (check_ins, None, "created_at", follow, kept),
        (check_ins.filter(member), by_membership, "created_at", follow, kept),
        (lessons, None, "completed_at", {"p": plain, "g": none}, {"lessons": Count("pk")}),
        (
            lessons.filter(member),
            by_membership,
            "completed_at",
            {"p": plain, "g": none},
            {"lessons": Count("pk")},
        ),
        (present, None, "marked_at", {"p": plain, "g": none}, {"attended": Count("pk")}),
        (
            present,
            F("session__cohort_id"),
            "marked_at",
            {"p": plain, "g": none},
            {"attended": Count("pk")},
        ),
    ]
    for rows, cohort, when, tags, counts in sources:
        zeros = [f"t_{k}" for k in TOTAL_FIELDS if k not in counts]
        query = (
            rows.annotate(
                **_constants(o=org, **dict.fromkeys(zeros, 0)),
                c=_constants(c=None)["c"] if cohort is None else cohort,
                d=_local_date(when),
                **tags,
            )
            .values("o", "c", "d", "p", "g", *zeros)
            .annotate(**{f"t_{k}": v for k, v in counts.items()})
            .order_by()
        )
        _insert_select(
            DayTotal,
            ["organisation", "cohort", "day", "practice", "courage", *TOTAL_FIELDS],
            query.values_list("o", "c", "d", "p", "g", *[f"t_{k}" for k in TOTAL_FIELDS]),
        )


def _roll_months(organisation: Organisation) -> None:
    """Month totals from all the day totals (the rebuild; a fold moves them by a difference).
    Plain SQL: Django's TruncMonth calls back into Python for every row on SQLite."""
    month = _month_first_sql("day")
    key = f"organisation_id, cohort_id, {month}, practice, courage"
    columns = ", ".join(
        _quote(c) for c in ["organisation_id", "cohort_id", "month", "practice", "courage"]
    )
    _execute(
        f"INSERT INTO {_quote(MonthTotal._meta.db_table)} ({columns}, {', '.join(TOTAL_FIELDS)})"
        f" SELECT {key}, {', '.join(f'SUM({k})' for k in TOTAL_FIELDS)}"
        f" FROM {_quote(DayTotal._meta.db_table)} WHERE organisation_id = %s GROUP BY {key}",
        [organisation.pk],
    )


# --- people: traces and active months ------------------------------------------------------


def _last_done(organisation: Organisation) -> None:
    """When each person last did each counted thing, over the whole history (the rebuild;
    everyone has a PersonActivity row by now)."""
    org = organisation.pk
    sources: list[tuple[models.QuerySet[Any], str, str, Any, Any]] = [
        (
            Commitment.objects.filter(person__organisation_id=org),
            "created_at",
            Trace.COMMITMENT,
            F("practice"),
            F("courage"),
        ),
        (
            CheckIn.objects.filter(person__organisation_id=org),
            "created_at",
            Trace.CHECK_IN,
            F("commitment__practice"),
            F("commitment__courage"),
        ),
        (
            LessonProgress.objects.filter(person__organisation_id=org),
            "completed_at",
            Trace.LESSON,
            Value("", output_field=models.CharField()),
            Value(0, output_field=models.IntegerField()),
        ),
        (
            Attendance.objects.filter(
                person__organisation_id=org, status=Attendance.Status.PRESENT
            ),
            "marked_at",
            Trace.ATTENDANCE,
            Value("", output_field=models.CharField()),
            Value(0, output_field=models.IntegerField()),
        ),
    ]
    # Each person's last day per source, practice and courage level, in a scratch table...
    _execute(f"DROP TABLE IF EXISTS {LAST_DAYS}")
    _execute(
        f"CREATE TEMPORARY TABLE {LAST_DAYS} (person_id BIGINT NOT NULL,"
        " kind VARCHAR(12) NOT NULL, practice VARCHAR(40) NOT NULL, courage INTEGER NOT NULL,"
        " last_on DATE NOT NULL)"
    )
    for rows, when, kind, practice, courage in sources:
        query = (
            rows.annotate(k=Value(str(kind), output_field=models.CharField()))
            .annotate(p=practice, g=courage)
            .values("person_id", "k", "p", "g")
            # The date of the latest moment: one conversion per group, not per row.
            .annotate(last=_local_date(Max(when)))
            .order_by()
            .values_list("person_id", "k", "p", "g", "last")
        )
        sql, params = query.query.sql_with_params()
        _execute(
            f"INSERT INTO {LAST_DAYS} (person_id, kind, practice, courage, last_on) {sql}", params
        )
    _analyse(LAST_DAYS)
    # ... and from it, per person, the day or month each counted thing keeps.
    table = _quote(PersonActivity._meta.db_table)
    kept = ", ".join(f"{c.column} = {c.kept(f't.{c.column}')}" for c in COUNTED)
    _execute(
        f"UPDATE {table} SET {kept} FROM ({_per_person(LAST_DAYS, 'last_on')}) t"
        f" WHERE {table}.person_id = t.person_id"
    )
    _execute(f"DROP TABLE {LAST_DAYS}")


def _per_person(source: str, value: str) -> str:
    """SELECT, from `source` (rows of person_id, kind, practice, courage with the kinds
    commitment, check-in, lesson and attendance), one row per person with a column per
    counted thing: the latest `value` of the rows that count as doing that thing, or NULL."""
    columns = ", ".join(
        f"MAX(CASE WHEN {c.condition} THEN {value} END) AS {c.column}" for c in COUNTED
    )
    return f"SELECT person_id, {columns} FROM {source} GROUP BY person_id"


def _add_people(organisation: Organisation) -> int:
    """A PersonActivity row (nothing done yet) for everyone who has none yet (joined since
    the last fold, usually nobody), counted in RetentionCount by the month they joined."""
    org = organisation.pk
    # NOT EXISTS (an anti-join), never NOT IN: PostgreSQL cannot hash a NOT IN over a large
    # subquery and falls back to scanning it once per person.
    newcomers = list(
        Person.objects.filter(organisation_id=org)
        .exclude(Exists(PersonActivity.objects.filter(person_id=OuterRef("pk"))))
        .annotate(j=_local_month("date_joined"))
        .values_list("pk", "j")
        .order_by()
    )
    if not newcomers:
        return 0
    _insert_rows(
        PersonActivity,
        ["organisation_id", "person_id", "joined_month", "months"],
        [(org, person, joined, 0) for person, joined in newcomers],
    )
    joined_in = dict(newcomers)
    changes: dict[tuple[int | None, str, int], int] = defaultdict(int)
    for month in joined_in.values():
        changes[(None, RetentionCount.Kind.JOINED, month)] += 1
    for cohort, person in Membership.objects.filter(
        person_id__in=list(joined_in), status=MEMBER
    ).values_list("cohort_id", "person_id"):
        changes[(cohort, RetentionCount.Kind.JOINED, joined_in[person])] += 1
    _move_retention_counts(organisation, changes)
    return len(newcomers)


def _move_retention_counts(
    organisation: Organisation, changes: dict[tuple[int | None, str, int], int]
) -> None:
    if not changes:
        return
    stored: dict[tuple[int | None, str, int], tuple[int | None, int]] = {
        (cohort, kind, number): (pk, people)
        for pk, cohort, kind, number, people in RetentionCount.objects.filter(
            organisation=organisation,
            kind__in={key[1] for key in changes},
            number__in={key[2] for key in changes},
        ).values_list("pk", "cohort_id", "kind", "number", "people")
    }
    rows = []
    for key, change in changes.items():
        pk, people = stored.get(key, (None, 0))
        cohort, kind, number = key
        rows.append(
            (
                pk,
                [max(0, people + change)],
                {"cohort_id": cohort, "kind": str(kind), "number": number},
            )
        )
    _save_counts(organisation, RetentionCount, ["people"], rows)


def _everyone(organisation: Organisation) -> None:
    """A PersonActivity row (nothing done yet) for everyone (the rebuild, which has just
    removed them all)."""
    org = organisation.pk
    joined = (
        Person.objects.filter(organisation_id=org)
        .annotate(**_constants(o=org, z=0), j=_local_month("date_joined"))
        .values_list("o", "pk", "j", "z")
        .order_by()
    )
    _insert_select(PersonActivity, ["organisation", "person", "joined_month", "months"], joined)


def _count_retention(organisation: Organisation) -> None:
    """RetentionCount from PersonActivity (the rebuild)."""
    org = organisation.pk
    table = _quote(PersonActivity._meta.db_table)
    members = _quote(Membership._meta.db_table)
    counts = _quote(RetentionCount._meta.db_table)
    columns = ", ".join(
        _quote(c) for c in ["organisation_id", "cohort_id", "kind", "number", "people"]
    )
    scopes: list[tuple[str, str, str, list[Any]]] = [
        ("CAST(NULL AS BIGINT)", f"{table} p", "p.organisation_id = %s", [org]),
        (
            "m.cohort_id",
            f"{table} p JOIN {members} m ON m.person_id = p.person_id",
            "p.organisation_id = %s AND m.status = %s",
            [org, MEMBER],
        ),
    ]
    joined, active = RetentionCount.Kind.JOINED.value, RetentionCount.Kind.ACTIVE.value
    for cohort, source, where, params in scopes:
        _execute(
            f"INSERT INTO {counts} ({columns}) SELECT %s, {cohort}, '{joined}', p.joined_month,"
            f" COUNT(*) FROM {source} WHERE {where} GROUP BY {cohort}, p.joined_month",
            [org, *params],
        )
        for k in range(RETENTION_MONTHS):
            _execute(
                f"INSERT INTO {counts} ({columns}) SELECT %s, {cohort}, '{active}', {k},"
                f" COUNT(*) FROM {source} WHERE {where}"
                f" AND (p.months & (CAST(1 AS BIGINT) << {k})) <> 0 GROUP BY {cohort}",
                [org, *params],
            )


def _mark_months(organisation: Organisation) -> None:
    """Give everyone a PersonActivity row, then set the bit of each month they were active
    in, in one statement (the rebuild).

    The distinct (person, month) pairs of the four sources give distinct powers of two per
    person, so their sum is their bitwise OR."""
    org = organisation.pk
    _everyone(organisation)

    def months_of(rows: models.QuerySet[Any], when: str) -> models.QuerySet[Any]:
        return (
            rows.filter(person__organisation_id=org)
            .annotate(m=_local_month(when))
            .values_list("person_id", "m")
            .order_by()
        )

    # UNION (not UNION ALL) leaves each (person, month) once.
    union = (
        months_of(Commitment.objects.all(), "created_at")
        .union(
            months_of(CheckIn.objects.all(), "created_at"),
            months_of(LessonProgress.objects.all(), "completed_at"),
            months_of(Attendance.objects.filter(status=Attendance.Status.PRESENT), "marked_at"),
        )
        .order_by()
    )
    sql, params = union.query.sql_with_params()
    table = _quote(PersonActivity._meta.db_table)
    bits = "CAST(1 AS BIGINT) << CAST(a.m - p.joined_month AS INTEGER)"
    statement = f"""
        UPDATE {table} SET months = {table}.months | b.bits
        FROM (
            SELECT a.person_id AS person_id, CAST(SUM({bits}) AS BIGINT) AS bits
            FROM ({sql}) AS a
            JOIN {table} AS p ON p.person_id = a.person_id
            WHERE a.m >= p.joined_month AND a.m < p.joined_month + {MONTH_BITS}
            GROUP BY a.person_id
        ) AS b
        WHERE {table}.person_id = b.person_id
    """
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


# --- one day, incrementally ----------------------------------------------------------------

# Temporary tables (one connection's own): the day being folded, and the rebuild's last days.
EVENTS = "bw_fold_events"
DAY_PEOPLE = "bw_fold_people"
LAST_DAYS = "bw_rebuild_last_days"
CHANGES = "bw_fold_changes"
MOVED = "bw_fold_moved"


def _execute(sql: str, params: Sequence[Any] = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _update_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Give rows new values: each row is the values in `fields` order, then the id. (Not
    bulk_update: its CASE expressions cost more to build than the writes themselves.)"""
    if not rows:
        return
    table = _quote(model._meta.db_table)
    if connection.vendor == "sqlite":
        assignments = ", ".join(f"{_quote(field)} = %s" for field in fields)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE id = %s", rows)
        return
    # On PostgreSQL one statement per row costs about 30 µs a row; one statement over an
    # array per column costs a few.
    names = [f"c{n}" for n in range(len(fields))]
    assignments = ", ".join(
        f"{_quote(field)} = v.{name}" for field, name in zip(fields, names, strict=True)
    )
    arrays, params = _arrays(model, [*fields, "id"], rows)
    _execute(
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}, row_id)"
        f" WHERE {table}.id = v.row_id",
        params,
    )


def _insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Add rows, each the values of `columns` (column names) in order, already in the form
    the database takes (no model instances: building them costs more than the insert)."""
    if not rows:
        return
    table = _quote(model._meta.db_table)
    names = ", ".join(_quote(c) for c in columns)
    if connection.vendor == "sqlite":
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
        return
    arrays, params = _arrays(model, columns, rows)
    _execute(f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})", params)


def _arrays(
    model: type[models.Model], columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> tuple[str, list[str]]:
    """PostgreSQL: the rows as one array per column, for unnest(). Each array goes as one
    text parameter: Django binds parameters on the client, and quoting a list element by
    element costs more than the statement itself."""
    fields = {field.column: field for field in model._meta.concrete_fields}
    # Element types without a length: a cast to varchar(10) would cut a longer value short,
    # where the assignment to the column refuses it.
    arrays = ", ".join(
        f"CAST(%s AS {str(fields[column].db_type(connection)).split('(')[0]}[])"
        for column in columns
    )
    return arrays, [_array_text(column) for column in zip(*rows, strict=True)]


def _array_text(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal: NULL for None, numbers as they are, everything else
    (text, dates, times, which the cast reads back) quoted. Tens of thousands of values at a
    time: the common cases are joined without looking at each value in Python."""
    kinds = set(map(type, values))
    if kinds <= {int, float}:
        return "{" + ",".join(map(str, values)) + "}"
    if kinds <= {int, float, type(None)}:  # cohort ids, NULL for the organisation's rows
        return "{" + ",".join(["NULL" if v is None else str(v) for v in values]) + "}"
    if kinds == {str}:
        together = "".join(values)
        if '"' not in together and "\\" not in together:
            return '{"' + '","'.join(values) + '"}'
    if kinds <= {date, datetime}:  # never a quote or a backslash in them
        return '{"' + '","'.join(map(str, values)) + '"}'
    items = ["NULL" if value is None else _array_item(value) for value in values]
    return "{" + ",".join(items) + "}"


def _array_item(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _db_value(value: Any) -> Any:
    """A date as the database takes it in a raw statement; anything else as it is."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return _sql_date(value)
    return value


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _sql_date(day: date) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _kinds(kinds: Iterable[str]) -> str:
    """A literal list of trace kinds (fixed choices, never user input) for raw SQL."""
    return ", ".join(f"'{Trace(kind).value}'" for kind in kinds)


def _analyse(table: str, *, vacuum: bool = False) -> None:
    """PostgreSQL keeps no statistics on a temporary table until asked, and without them it
    plans joins to it as if it were empty; after a rebuild, the rollup tables' statistics
    describe what was thrown away until autovacuum comes round.

    With `vacuum`, also reclaim the rows a rebuild threw away (every row of the table), when
    not inside a transaction (VACUUM cannot run in one): left to autovacuum, or on a server
    where it is off, every fold after the rebuild wades through them in the indexes."""
    if connection.vendor != "postgresql":
        return
    if vacuum and not connection.in_atomic_block:
        _execute(f"VACUUM (ANALYZE) {table}")
    else:
        _execute(f"ANALYZE {table}")


@contextmanager
def _day_events(organisation: Organisation, start: datetime, end: datetime) -> Iterator[None]:
    """Fill the temporary events table with everything the organisation's people did between
    start and end: one row per commitment, check-in, lesson completed and session attended,
    with the practice and courage level (check-ins: their commitment's) and, for attendance,
    the session's cohort."""
    org = organisation.pk
    _execute(f"DROP TABLE IF EXISTS {EVENTS}")
    _execute(f"DROP TABLE IF EXISTS {DAY_PEOPLE}")
    _execute(
        f"CREATE TEMPORARY TABLE {EVENTS} (person_id BIGINT NOT NULL, kind VARCHAR(12) NOT NULL,"
        " practice VARCHAR(40) NOT NULL, courage INTEGER NOT NULL, outcome VARCHAR(12) NOT NULL,"
        " cohort_id BIGINT)"
    )
    plain = Value("", output_field=models.CharField())
    zero = Value(0, output_field=models.IntegerField())
    no_cohort = Cast(Value(None), models.BigIntegerField())
    sources: list[tuple[models.QuerySet[Any], Trace, Any, Any, Any, Any]] = [
        (
            Commitment.objects.filter(
                created_at__gte=start, created_at__lt=end, person__organisation_id=org
            ),
            Trace.COMMITMENT,
            F("practice"),
            F("courage"),
            plain,
            no_cohort,
        ),
        (
            CheckIn.objects.filter(
                created_at__gte=start, created_at__lt=end, person__organisation_id=org
            ),
            Trace.CHECK_IN,
            F("commitment__practice"),
            F("commitment__courage"),
            F("outcome"),
            no_cohort,
        ),
        (
            LessonProgress.objects.filter(
                completed_at__gte=start, completed_at__lt=end, person__organisation_id=org
            ),
            Trace.LESSON,
            plain,
            zero,
            plain,
            no_cohort,
        ),
        (
            Attendance.objects.filter(
                marked_at__gte=start,
                marked_at__lt=end,
                session__cohort__organisation_id=org,
                status=Attendance.Status.PRESENT,
            ),
            Trace.ATTENDANCE,
            plain,
            zero,
            plain,
            F("session__cohort_id"),
        ),
    ]
    for rows, kind, practice, courage, outcome, cohort in sources:
        query = (
            rows.annotate(
                k=Value(str(kind), output_field=models.CharField()),
                p=practice,
                g=courage,
                x=outcome,
                c=cohort,
            )
            .values_list("person_id", "k", "p", "g", "x", "c")
            .order_by()
        )
        sql, params = query.query.sql_with_params()
        _execute(
            f"INSERT INTO {EVENTS} (person_id, kind, practice, courage, outcome, cohort_id) {sql}",
            params,
        )
    _analyse(EVENTS)
    yield
    # Not in a finally: after an error the transaction is rolled back, and with it the
    # tables (both databases undo CREATE TABLE in a rolled-back transaction).
    _execute(f"DROP TABLE {EVENTS}")
    _execute(f"DROP TABLE IF EXISTS {DAY_PEOPLE}")


TotalsKey = tuple[int | None, str, int]


def _day_sums(organisation: Organisation, day: date) -> dict[TotalsKey, list[int]]:
    rows = (
        DayTotal.objects.filter(organisation=organisation, day=day)
        .values_list("cohort_id", "practice", "courage")
        .annotate(*[Sum(field) for field in TOTAL_FIELDS])
        .order_by()
    )
    return {(c, p, g): [int(v or 0) for v in sums] for c, p, g, *sums in rows}


def _fold_totals(organisation: Organisation, day: date) -> None:
    """Replace the day's DayTotal rows with the events' counts, and move the month's totals
    by the difference."""
    before = _day_sums(organisation, day)
    DayTotal.objects.filter(organisation=organisation, day=day).delete()
    _insert_day_totals(organisation, day)
    after = _day_sums(organisation, day)
    changes: dict[TotalsKey, list[int]] = {}
    for key in before.keys() | after.keys():
        old, new = before.get(key, [0] * 6), after.get(key, [0] * 6)
        if old != new:
            changes[key] = [b - a for a, b in zip(old, new, strict=True)]
    _move_month_totals(organisation, _month_start(day), changes)


def _move_month_totals(
    organisation: Organisation, month: date, changes: dict[TotalsKey, list[int]]
) -> None:
    if not changes:
        return
    # A change to a month before the current one: EarlierTotal is out of date.
    RollupState.objects.filter(organisation=organisation, earlier_month__gt=month).update(
        earlier_month=None
    )
    stored = {
        (cohort, practice, courage): (pk, totals)
        for pk, cohort, practice, courage, *totals in MonthTotal.objects.filter(
            organisation=organisation, month=month
        ).values_list("pk", "cohort_id", "practice", "courage", *TOTAL_FIELDS)
    }
    rows = []
    for key, change in changes.items():
        pk, totals = stored.get(key, (None, [0] * len(TOTAL_FIELDS)))
        cohort, practice, courage = key
        rows.append(
            (
                pk,
                [max(0, total + by) for total, by in zip(totals, change, strict=True)],
                {"cohort_id": cohort, "month": month, "practice": practice, "courage": courage},
            )
        )
    _save_counts(organisation, MonthTotal, TOTAL_FIELDS, rows)


def _save_counts(
    organisation: Organisation,
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple[int | None, Sequence[int], dict[str, Any]]],
) -> None:
    """Store counts worked out by difference. Each row: the stored row's id (None if there is
    none), the new values of `fields`, and the key fields for a new row. A row whose values
    are all zero is deleted (or not created)."""
    updated: list[tuple[int, ...]] = []
    created: list[tuple[Any, ...]] = []
    emptied: list[int] = []
    key_fields: list[str] = []
    for pk, values, key in rows:
        if pk is not None:
            if any(values):
                updated.append((*values, pk))
            else:
                emptied.append(pk)
        elif any(values):
            key_fields = list(key)
            created.append((organisation.pk, *(_db_value(v) for v in key.values()), *values))
    _insert_rows(model, ["organisation_id", *key_fields, *fields], created)
    _update_rows(model, fields, updated)
    model._default_manager.filter(pk__in=emptied).delete()


def _insert_day_totals(organisation: Organisation, day: date) -> None:
    table = _quote(DayTotal._meta.db_table)
    members = _quote(Membership._meta.db_table)
    columns = ", ".join(
        _quote(c)
        for c in ["organisation_id", "cohort_id", "day", "practice", "courage", *TOTAL_FIELDS]
    )

    def counted(condition: str) -> str:
        return f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)"

    sums = ", ".join(
        [
            counted("e.kind = 'commitment'"),
            counted("e.kind = 'check_in'"),
            counted("e.kind = 'check_in' AND e.outcome = 'done'"),
            counted("e.kind = 'check_in' AND e.outcome = 'partly'"),
            counted("e.kind = 'lesson'"),
            counted("e.kind = 'attendance'"),
        ]
    )
    org, on = organisation.pk, _sql_date(day)
    _execute(
        f"INSERT INTO {table} ({columns}) SELECT %s, NULL, %s, e.practice, e.courage, {sums} "
        f"FROM {EVENTS} e GROUP BY e.practice, e.courage",
        [org, on],
    )
    # A cohort counts what its current members did, and attendance of its own sessions.
    _execute(
        f"INSERT INTO {table} ({columns}) SELECT %s, m.cohort_id, %s, e.practice, e.courage, "
        f"{sums} FROM {EVENTS} e JOIN {members} m ON m.person_id = e.person_id "
        "WHERE m.status = %s AND e.kind <> 'attendance' "
        "GROUP BY m.cohort_id, e.practice, e.courage",
        [org, on, MEMBER],
    )
    _execute(
        f"INSERT INTO {table} ({columns}) SELECT %s, e.cohort_id, %s, e.practice, e.courage, "
        f"{sums} FROM {EVENTS} e WHERE e.kind = 'attendance' "
        "GROUP BY e.cohort_id, e.practice, e.courage",
        [org, on],
    )


def _month_first_sql(column: str) -> str:
    """The first day of a date column's month."""
    if connection.vendor == "sqlite":
        return f"date({column}, 'start of month')"
    return f"CAST(date_trunc('month', {column}) AS DATE)"


def _date_sql(day: date) -> str:
    """A date as an SQL literal (both databases compare it with a DATE column)."""
    if connection.vendor == "sqlite":
        return f"'{day.isoformat()}'"
    return f"DATE '{day.isoformat()}'"


def _fold_people(organisation: Organisation, day: date) -> None:
    """Move everyone active on `day` forward in PersonActivity: the month's bit, and each
    counted thing they did to the day (or its month); and move them in the LastActiveMonth
    counts of every scope they belong to where that changes their day or month."""
    added = _add_people(organisation)
    table = _quote(PersonActivity._meta.db_table)
    members = _quote(Membership._meta.db_table)
    stored = ["joined_month", "months", *(c.column for c in COUNTED)]
    did = [f"did_{c.column}" for c in COUNTED]
    _execute(
        f"CREATE TEMPORARY TABLE {DAY_PEOPLE} (cohort_id BIGINT, person_id BIGINT NOT NULL, "
        "joined_month INTEGER NOT NULL, months BIGINT NOT NULL, "
        + ", ".join([*(f"{c.column} DATE" for c in COUNTED), *(f"{d} INTEGER" for d in did)])
        + ")"
    )
    # The day's people: what is stored for them so far and what they did (cohort NULL)...
    picked = ", ".join([*(f"p.{c}" for c in stored), *(f"e.{c.column}" for c in COUNTED)])
    _execute(
        f"INSERT INTO {DAY_PEOPLE} (person_id, {', '.join([*stored, *did])})"
        f" SELECT e.person_id, {picked}"
        f" FROM ({_per_person(EVENTS, '1')}) e JOIN {table} p ON p.person_id = e.person_id"
        " WHERE p.organisation_id = %s",
        [organisation.pk],
    )
    # ... and the same once more for each cohort they are a member of.
    copied = ", ".join(f"d.{c}" for c in ["person_id", *stored, *did])
    _execute(
        f"INSERT INTO {DAY_PEOPLE} (cohort_id, person_id, {', '.join([*stored, *did])})"
        f" SELECT m.cohort_id, {copied} FROM {DAY_PEOPLE} d JOIN {members} m"
        " ON m.person_id = d.person_id WHERE d.cohort_id IS NULL AND m.status = %s",
        [MEMBER],
    )
    _move_last_months(organisation, day)
    month = _month_index(day)
    # People whose month is new to them, per scope, by how many months after joining it is.
    changes: dict[tuple[int | None, str, int], int] = {}
    marked = 0
    for cohort, since_joining, people in _fetch(
        f"SELECT cohort_id, {month} - joined_month, COUNT(*) FROM {DAY_PEOPLE}"
        f" WHERE {_unmarked(month)} GROUP BY cohort_id, {month} - joined_month"
    ):
        if cohort is None:
            marked += people
        if since_joining < RETENTION_MONTHS:
            changes[(cohort, RetentionCount.Kind.ACTIVE, since_joining)] = people
    _move_retention_counts(organisation, changes)
    own = f"{table}."
    assignments = ", ".join(
        [
            f"months = CASE WHEN {_countable(month, own)} THEN {own}months | "
            f"{_bit(month, own)} ELSE {own}months END",
            *(
                f"{c.column} = CASE WHEN {_moves(c, day, f'{DAY_PEOPLE}.')}"
                f" THEN {_date_sql(c.kept_of(day))} ELSE {own}{c.column} END"
                for c in COUNTED
            ),
        ]
    )
    anything = " OR ".join(
        [_unmarked(month, f"{DAY_PEOPLE}."), *(_moves(c, day, f"{DAY_PEOPLE}.") for c in COUNTED)]
    )
    _execute(
        f"UPDATE {table} SET {assignments} FROM {DAY_PEOPLE}"
        f" WHERE {DAY_PEOPLE}.cohort_id IS NULL AND {own}person_id = {DAY_PEOPLE}.person_id"
        f" AND ({anything})"
    )
    if added or marked:
        RollupState.objects.update_or_create(
            organisation=organisation, defaults={"retention_changed": True}
        )


def _bit(month: int, prefix: str = "") -> str:
    """SQL: the bit of month number `month` in a PersonActivity row's `months`."""
    return f"(CAST(1 AS BIGINT) << CAST({month} - {prefix}joined_month AS INTEGER))"


def _countable(month: int, prefix: str = "") -> str:
    """SQL: whether `months` has a bit for month number `month` (joined by then, and not so
    long ago that the bits have run out)."""
    joined = f"{prefix}joined_month"
    return f"{joined} <= {month} AND {joined} > {month - MONTH_BITS}"


def _unmarked(month: int, prefix: str = "") -> str:
    return f"({_countable(month, prefix)} AND ({prefix}months & {_bit(month, prefix)}) = 0)"


def _moves(counted: Counted, day: date, prefix: str = "") -> str:
    """SQL: whether a person of the day's table moves forward in `counted` when `day` is
    folded: they did it that day and what is stored is earlier than what the day keeps."""
    column = f"{prefix}{counted.column}"
    return (
        f"({prefix}did_{counted.column} = 1 AND ({column} IS NULL"
        f" OR {column} < {_date_sql(counted.kept_of(day))}))"
    )


def _move_last_months(organisation: Organisation, day: date) -> None:
    """Before the day's people move forward: count, per scope and counted thing, the people
    who move, by the day (or month) they leave, and apply that to LastActiveMonth.

    The first of a month moves every active person in every counted thing, tens of
    thousands of changes: they are worked out and applied in SQL, never read into Python."""
    _execute(f"DROP TABLE IF EXISTS {MOVED}")
    _execute(f"DROP TABLE IF EXISTS {CHANGES}")
    _execute(
        f"CREATE TEMPORARY TABLE {MOVED} (cohort_id BIGINT, counted INTEGER NOT NULL,"
        " left_on DATE, people INTEGER NOT NULL)"
    )
    if connection.vendor == "postgresql":
        # Each person's row read once, against each counted thing in turn: PostgreSQL reads
        # a row's many columns at a cost; SQLite takes the plain union below faster.
        counted = " UNION ALL ".join(f"SELECT {index} AS counted" for index in range(len(COUNTED)))
        left_on = " ".join(f"WHEN {i} THEN d.{c.column}" for i, c in enumerate(COUNTED))
        moves = " ".join(f"WHEN {i} THEN {_moves(c, day, 'd.')}" for i, c in enumerate(COUNTED))
        _execute(
            f"INSERT INTO {MOVED} SELECT d.cohort_id, t.counted, CASE t.counted {left_on} END,"
            f" COUNT(*) FROM {DAY_PEOPLE} d CROSS JOIN ({counted}) t"
            f" WHERE CASE t.counted {moves} END"
            f" GROUP BY d.cohort_id, t.counted, CASE t.counted {left_on} END"
        )
    else:
        _execute(
            f"INSERT INTO {MOVED} "
            + " UNION ALL ".join(
                f"SELECT cohort_id, {index}, {c.column}, COUNT(*) FROM {DAY_PEOPLE}"
                f" WHERE {_moves(c, day)} GROUP BY cohort_id, {c.column}"
                for index, c in enumerate(COUNTED)
            )
        )
    _execute(
        f"CREATE TEMPORARY TABLE {CHANGES} (cohort_id BIGINT, kind VARCHAR(12) NOT NULL,"
        " practice VARCHAR(40) NOT NULL, courage INTEGER NOT NULL, month DATE NOT NULL,"
        " change INTEGER NOT NULL)"
    )
    _execute(f"CREATE INDEX {CHANGES}_key ON {CHANGES} (month, kind, practice, courage)")
    # Each counted thing's key in LastActiveMonth and the day (or month) it moves people to.
    things = " UNION ALL ".join(
        f"SELECT {index} AS counted, CAST(%s AS VARCHAR(12)) AS kind,"
        f" CAST(%s AS VARCHAR(40)) AS practice, {int(c.courage)} AS courage,"
        f" {_date_sql(c.kept_of(day))} AS kept"
        for index, c in enumerate(COUNTED)
    )
    keys = [value for c in COUNTED for value in (str(c.kind.value), c.practice)]
    # Into the day's day or month; out of the ones they leave (none: their first time).
    # Never the same row twice: a person moves only to a later day or month.
    _execute(
        f"INSERT INTO {CHANGES} (cohort_id, kind, practice, courage, month, change)"
        f" SELECT m.cohort_id, t.kind, t.practice, t.courage, t.kept, SUM(m.people)"
        f" FROM {MOVED} m JOIN ({things}) t ON t.counted = m.counted"
        " GROUP BY m.cohort_id, t.kind, t.practice, t.courage, t.kept"
        " UNION ALL"
        f" SELECT m.cohort_id, t.kind, t.practice, t.courage, m.left_on, -m.people"
        f" FROM {MOVED} m JOIN ({things}) t ON t.counted = m.counted"
        " WHERE m.left_on IS NOT NULL",
        [*keys, *keys],
    )
    _execute(f"DROP TABLE {MOVED}")
    _apply_month_changes(organisation)


def _apply_month_changes(organisation: Organisation) -> None:
    """Move LastActiveMonth by the changes table in three statements. A count cannot go
    below zero (only when memberships changed since the last rebuild, which puts every
    count right again); a count of zero is removed."""
    # With its size known, both databases go through the changes and look each row up.
    _execute(f"ANALYZE {CHANGES}")
    table = _quote(LastActiveMonth._meta.db_table)
    columns = ", ".join(
        _quote(c)
        for c in ["organisation_id", "cohort_id", "kind", "practice", "courage", "month", "people"]
    )
    org = organisation.pk
    moved = f"{table}.people + c.change"
    # The organisation's rows and the cohorts' apart: plain equalities, so that each change
    # finds its row through the index on the whole key.
    for scope in ("IS NULL", "IS NOT NULL"):
        same = (
            f"{table}.organisation_id = %s AND {table}.month = c.month AND {table}.kind = c.kind"
            f" AND {table}.practice = c.practice AND {table}.courage = c.courage"
            + (
                f" AND {table}.cohort_id IS NULL"
                if scope == "IS NULL"
                else f" AND {table}.cohort_id = c.cohort_id"
            )
        )
        if connection.vendor == "sqlite":
            # SQLite would go through every row of the organisation in an UPDATE ... FROM:
            # through the changes instead (CROSS JOIN keeps that order), then by id.
            found = _fetch(
                f"SELECT CASE WHEN {moved} > 0 THEN {moved} ELSE 0 END, {table}.id"
                f" FROM {CHANGES} c CROSS JOIN {table} WHERE c.cohort_id {scope} AND {same}",
                [org],
            )
            _update_rows(LastActiveMonth, ["people"], found)
        else:
            _execute(
                f"UPDATE {table} SET people = CASE WHEN {moved} > 0 THEN {moved} ELSE 0 END"
                f" FROM {CHANGES} c WHERE c.cohort_id {scope} AND {same}",
                [org],
            )
        _execute(
            f"INSERT INTO {table} ({columns}) SELECT %s, c.cohort_id, c.kind, c.practice,"
            f" c.courage, c.month, c.change FROM {CHANGES} c"
            f" WHERE c.cohort_id {scope} AND c.change > 0"
            f" AND NOT EXISTS (SELECT 1 FROM {table} WHERE {same})",
            [org, org],
        )
    _execute(
        f"DELETE FROM {table} WHERE organisation_id = %s AND people = 0"
        f" AND month IN (SELECT month FROM {CHANGES})",
        [org],
    )
    _execute(f"DROP TABLE {CHANGES}")


def _count_last_months(organisation: Organisation) -> None:
    """LastActiveMonth from PersonActivity (the rebuild): per scope and counted thing, the
    people by the day or month they last did it."""
    table = _quote(PersonActivity._meta.db_table)
    members = _quote(Membership._meta.db_table)
    last_active = _quote(LastActiveMonth._meta.db_table)
    columns = ", ".join(
        _quote(c)
        for c in ["organisation_id", "cohort_id", "kind", "practice", "courage", "month", "people"]
    )
    org = organisation.pk
    for c in COUNTED:
        thing = [str(c.kind), c.practice, c.courage]
        _execute(
            f"INSERT INTO {last_active} ({columns}) SELECT %s, NULL, %s, %s, %s, p.{c.column},"
            f" COUNT(*) FROM {table} p WHERE p.organisation_id = %s AND p.{c.column} IS NOT NULL"
            f" GROUP BY p.{c.column}",
            [org, *thing, org],
        )
        _execute(
            f"INSERT INTO {last_active} ({columns}) SELECT %s, m.cohort_id, %s, %s, %s,"
            f" p.{c.column}, COUNT(*) FROM {table} p JOIN {members} m"
            f" ON m.person_id = p.person_id WHERE m.status = %s AND p.organisation_id = %s"
            f" AND p.{c.column} IS NOT NULL GROUP BY m.cohort_id, p.{c.column}",
            [org, *thing, MEMBER, org],
        )


# --- growth, by month of the latest rating -----------------------------------------------

# Rows changed this long before the last fold are looked at again: a row saved just before
# a fold may commit only after the fold has read. Looking twice changes nothing: a row whose
# counted values are what it adds already is skipped.
GROWTH_OVERLAP = timedelta(minutes=10)
GROWTH_SUMS = ["people", "change", "squares", "baselines"]
GrowthKey = tuple[int | None, str, date]
# What one GrowthScore row adds to GrowthMonth: the month, latest - baseline, the baseline.
Contribution = tuple[date, float, float] | None


def _count_growth(organisation: Organisation) -> None:
    """GrowthMonth added up from every GrowthScore row, and each row's counted values set to
    what it adds (the rebuild, or when nothing says what GrowthMonth holds)."""
    org = organisation.pk
    GrowthMonth.objects.filter(organisation=organisation).delete()
    scores = _quote(GrowthScore._meta.db_table)
    month = _month_first_sql("latest_on")
    columns = ", ".join(
        _quote(c) for c in ["organisation_id", "cohort_id", "practice", "month", *GROWTH_SUMS]
    )
    _execute(
        f"INSERT INTO {_quote(GrowthMonth._meta.db_table)} ({columns})"
        f" SELECT organisation_id, cohort_id, practice, {month}, COUNT(*),"
        " SUM(latest - baseline), SUM((latest - baseline) * (latest - baseline)), SUM(baseline)"
        f" FROM {scores} WHERE organisation_id = %s AND assessments >= 2"
        f" GROUP BY organisation_id, cohort_id, practice, {month}",
        [org],
    )
    counted = {
        "counted_month": month,
        "counted_change": "latest - baseline",
        "counted_baseline": "baseline",
    }
    now = {
        column: f"CASE WHEN assessments >= 2 THEN {value} END" for column, value in counted.items()
    }
    differs = " OR ".join(f"{_differs(column, value)}" for column, value in now.items())
    # Only the rows whose counted values are not right already: a nightly rebuild need not
    # rewrite every row.
    _execute(
        f"UPDATE {scores} SET {', '.join(f'{c} = {v}' for c, v in now.items())}"
        f" WHERE organisation_id = %s AND ({differs})",
        [org],
    )


def _differs(left: str, right: str) -> str:
    """SQL: whether two nullable values differ (NULL and NULL do not)."""
    if connection.vendor == "sqlite":
        return f"{left} IS NOT {right}"
    return f"{left} IS DISTINCT FROM {right}"


def _fold_growth(organisation: Organisation, state: RollupState, now: datetime) -> bool:
    """Bring GrowthMonth up to date with the GrowthScore rows changed since the last fold:
    take away what each changed row added, add what it adds now. Says whether anything
    moved. (Under the organisation's lock: two folds at once would move the same sums.)"""
    moved = True
    if state.growth_at is None:
        _count_growth(organisation)
    else:
        # Up to now: a row can only be dated later by a clock ahead of this one (or by
        # generated data); it is folded once now has caught up with it.
        changed = GrowthScore.objects.filter(
            organisation=organisation,
            changed_at__gte=state.growth_at - GROWTH_OVERLAP,
            changed_at__lte=now,
        ).values_list(
            "pk",
            "cohort_id",
            "practice",
            "baseline",
            "latest",
            "latest_on",
            "assessments",
            "counted_month",
            "counted_change",
            "counted_baseline",
        )
        changes: dict[GrowthKey, list[float]] = defaultdict(lambda: [0, 0.0, 0.0, 0.0])
        recounted: list[tuple[Any, ...]] = []
        for row in changed:
            pk, cohort, practice, baseline, latest, latest_on, assessments = row[:7]
            was_month, was_change, was_baseline = row[7:]
            counted: Contribution = None
            if was_month is not None and was_change is not None and was_baseline is not None:
                counted = (was_month, was_change, was_baseline)
            adds: Contribution = (
                (_month_start(latest_on), latest - baseline, baseline) if assessments >= 2 else None
            )
            if counted == adds:
                continue
            for contribution, sign in ((counted, -1), (adds, 1)):
                if contribution is not None:
                    month, change, base = contribution
                    sums = changes[(cohort, practice, month)]
                    sums[0] += sign
                    sums[1] += sign * change
                    sums[2] += sign * change * change
                    sums[3] += sign * base
            recounted.append((*(_db_value(v) for v in adds or (None, None, None)), pk))
        _move_growth_months(organisation, changes)
        _update_rows(
            GrowthScore, ["counted_month", "counted_change", "counted_baseline"], recounted
        )
        moved = bool(recounted)
    state.growth_at = now
    state.save(update_fields=["growth_at"])
    return moved


def _move_growth_months(organisation: Organisation, changes: dict[GrowthKey, list[float]]) -> None:
    changes = {key: sums for key, sums in changes.items() if any(sums)}
    if not changes:
        return
    stored = {
        (cohort, practice, month): (pk, sums)
        for pk, cohort, practice, month, *sums in GrowthMonth.objects.filter(
            organisation=organisation, month__in={key[2] for key in changes}
        ).values_list("pk", "cohort_id", "practice", "month", *GROWTH_SUMS)
    }
    created, updated, emptied = [], [], []
    for key, by in changes.items():
        pk, sums = stored.get(key, (None, [0, 0.0, 0.0, 0.0]))
        people, change, squares, baselines = (a + b for a, b in zip(sums, by, strict=True))
        if pk is not None and people <= 0:
            emptied.append(pk)
        elif pk is not None:
            updated.append((people, change, squares, baselines, pk))
        elif people > 0:
            cohort, practice, month = key
            created.append(
                (
                    organisation.pk,
                    cohort,
                    practice,
                    _db_value(month),
                    people,
                    change,
                    squares,
                    baselines,
                )
            )
    _insert_rows(
        GrowthMonth, ["organisation_id", "cohort_id", "practice", "month", *GROWTH_SUMS], created
    )
    _update_rows(GrowthMonth, GROWTH_SUMS, updated)
    GrowthMonth.objects.filter(pk__in=emptied).delete()


# --- finished cells ------------------------------------------------------------------------


@dataclass
class Draft:
    """A cell on its way to the Cell table."""

    cohort: int | None
    period: str
    section: str
    key: str
    people: int
    values: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    hidden: str = ""
    # A second count that must also reach the threshold (retention's denominator).
    base: int | None = None


def _vals(*values: float | int | None) -> tuple[float, float, float, float]:
    padded = [float(v or 0) for v in values] + [0.0] * (4 - len(values))
    return (padded[0], padded[1], padded[2], padded[3])


# Sections worked out from activity on every refresh; retention, and the answers people gave
# (growth, session feedback, the safety pulse), only when they can have changed. Suppression
# looks at each section on its own, so one section can be replaced without the others.
ACTIVITY_SECTIONS = ("participation", "practice", "courage")
RESPONSE_SECTIONS = ("growth", "feedback", "safety")


def refresh(
    *, organisation: Organisation, today: date | None = None, everything: bool = False
) -> None:
    """Work out the finished cells from the rollups and store the ones that changed.

    Participation and follow-through are recomputed every time. Retention, growth, feedback
    and safety only when `everything` is asked for (the rebuild) or they can have changed
    since they were last worked out (see RollupState and `_responses_changed`)."""
    today = today or timezone.localdate()
    now = timezone.now()
    month = _month_start(today)
    with transaction.atomic():
        _lock(organisation)
        state = RollupState.objects.get(organisation=organisation)
        moved = _fold_growth(organisation, state, now)
        moved = _fold_feedback(organisation, now) or moved
        moved = _fold_safety(organisation, today) or moved
        if state.earlier_month != month:
            if state.earlier_month is not None and _next_month(state.earlier_month) == month:
                _roll_earlier_months(organisation, state.earlier_month, month)
            else:
                _sum_earlier_months(organisation, month)
            state.earlier_month = month
            state.save(update_fields=["earlier_month"])
    responses = everything or moved or _responses_changed(organisation, state, today)
    retention = everything or state.retention_changed or state.retention_month != month
    scopes: list[int | None] = [None, *_cohort_ids(organisation)]
    drafts = activity_drafts(organisation, scopes, today)
    sections = list(ACTIVITY_SECTIONS)
    if retention:
        drafts += _retention(organisation, scopes, today)
        sections.append("retention")
    if responses:
        drafts += response_drafts(organisation, scopes, today)
        sections += RESPONSE_SECTIONS
    apply_suppression(drafts, min_cell())
    with transaction.atomic():
        _store_cells(organisation, drafts, sections, now)
        state.refreshed_at = now
        if retention:
            state.retention_changed, state.retention_month = False, month
        if responses:
            state.responses_at, state.responses_on = now, today
        # Not earlier_month: a fold since the start may have cleared it.
        state.save(
            update_fields=[
                "refreshed_at",
                "retention_changed",
                "retention_month",
                "responses_at",
                "responses_on",
            ]
        )


def _responses_changed(organisation: Organisation, state: RollupState, today: date) -> bool:
    """Whether safety could differ from what was last worked out (a pulse closed since the day
    it was worked out for), or the periods' first days moved with a new month. (Growth and
    session feedback: when their folds moved anything.)"""
    since = state.responses_on
    if state.responses_at is None or since is None or _month_start(since) != _month_start(today):
        return True
    return SafetyPulse.objects.filter(
        organisation=organisation, closes_on__gte=since, closes_on__lt=today
    ).exists()


CellKey = tuple[int | None, str, str, str]
CELL_VALUES = ["people", "value", "value2", "value3", "value4", "hidden"]


def _store_cells(
    organisation: Organisation, drafts: list[Draft], sections: Sequence[str], now: datetime
) -> None:
    """Write only what changed: most cells are the same from one refresh to the next."""
    # One round trip, no converters: tens of thousands of plain values.
    query = Cell.objects.filter(organisation=organisation, section__in=sections).values_list(
        "pk", "cohort_id", "period", "section", "key", *CELL_VALUES
    )
    stored: dict[CellKey, tuple[Any, ...]] = {
        (row[1], row[2], row[3], row[4]): row for row in _fetch(*query.query.sql_with_params())
    }
    stamp = connection.ops.adapt_datetimefield_value(now)
    changed: list[tuple[Any, ...]] = []
    new: list[tuple[Any, ...]] = []
    for d in drafts:
        values = (d.people, *d.values, d.hidden)
        row = stored.pop((d.cohort, d.period, d.section, d.key), None)
        if row is None:
            new.append((organisation.pk, d.cohort, d.period, d.section, d.key, *values, stamp))
        elif tuple(row[5:]) != values:
            changed.append((*values, stamp, row[0]))
    _update_rows(Cell, [*CELL_VALUES, "computed_at"], changed)
    _insert_rows(
        Cell,
        ["organisation_id", "cohort_id", "period", "section", "key", *CELL_VALUES, "computed_at"],
        new,
    )
    gone = [row[0] for row in stored.values()]
    for chunk in range(0, len(gone), 2000):
        Cell.objects.filter(pk__in=gone[chunk : chunk + 2000]).delete()


def _starts(today: date) -> dict[str, date | None]:
    return {p: period_start(p, today) for p in PERIOD_ORDER}


def _since(field: str, start: date | None) -> Q:
    return Q() if start is None else Q(**{f"{field}__gte": start})


def activity_drafts(
    organisation: Organisation, scopes: list[int | None], today: date
) -> list[Draft]:
    org = organisation.pk
    starts = _starts(today)
    drafts: list[Draft] = []

    def each_period() -> Iterable[str]:
        return PERIOD_ORDER

    # Participation: enrolled and active in the last 30 days (the same in every period).
    enrolled: dict[int | None, int] = {
        None: Person.objects.filter(organisation_id=org, is_active=True).count()
    }
    enrolled.update(
        Membership.objects.filter(
            cohort__organisation_id=org, status=MEMBER, person__is_active=True
        )
        .values_list("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
    )
    people_counts = _people_counts(org, starts, today - timedelta(days=29))
    for scope in scopes:
        counts = people_counts.get(scope, {})
        for period in each_period():
            drafts.append(
                Draft(
                    scope,
                    period,
                    "participation",
                    "enrolled",
                    enrolled.get(scope, 0),
                    _vals(enrolled.get(scope, 0)),
                )
            )
            active = counts.get(("active30", ""), 0)
            drafts.append(
                Draft(
                    scope,
                    period,
                    "participation",
                    "active30",
                    active,
                    _vals(active, enrolled.get(scope, 0)),
                    base=enrolled.get(scope, 0),
                )
            )

    # Totals over each period, from month totals.
    totals = _month_sums(org, starts, _month_start(today))
    for scope in scopes:
        counts = people_counts.get(scope, {})
        for period in each_period():
            sums = totals.get((scope, period), {})
            everything = sums.get("all", [0.0] * len(TOTAL_FIELDS))
            drafts.append(
                Draft(
                    scope,
                    period,
                    "participation",
                    "lessons",
                    counts.get(("lesson", period), 0),
                    _vals(everything[4]),
                )
            )
            drafts.append(
                Draft(
                    scope,
                    period,
                    "participation",
                    "attended",
                    counts.get(("attendance", period), 0),
                    _vals(everything[5]),
                )
            )
            for practice in Practice.values:
                drafts.append(
                    Draft(
                        scope,
                        period,
                        "practice",
                        practice,
                        counts.get(("practice:" + practice, period), 0),
                        _vals(*sums.get(f"practice:{practice}", everything[:0])[:4]),
                    )
                )
            drafts.append(
                Draft(
                    scope,
                    period,
                    "practice",
                    "total",
                    counts.get(("follow", period), 0),
                    _vals(*everything[:4]),
                )
            )
            for courage in Courage.values:
                drafts.append(
                    Draft(
                        scope,
                        period,
                        "courage",
                        str(courage),
                        counts.get((f"courage:{courage}", period), 0),
                        _vals(*sums.get(f"courage:{courage}", everything[:0])[:4]),
                    )
                )

    return drafts


def response_drafts(
    organisation: Organisation, scopes: list[int | None], today: date
) -> list[Draft]:
    org, starts = organisation.pk, _starts(today)
    return [
        *_growth(org, scopes, starts),
        *_feedback(org, scopes, starts),
        *_safety(org, scopes, starts, today),
    ]


def _cohort_ids(organisation: Organisation) -> list[int]:
    from bridgework.cohorts.models import Cohort

    return list(
        Cohort.objects.filter(organisation=organisation).order_by("pk").values_list("pk", flat=True)
    )


def _people_counts(
    org: int, starts: dict[str, date | None], recent: date
) -> dict[int | None, dict[tuple[str, str], int]]:
    """People per scope: (what, period) -> count, all from LastActiveMonth: a period's people
    last did the thing in a month on or after the period's first; the last 30 days' people
    did anything last on one of those days."""
    aggregates = {f"n__{p}": Sum("people", filter=_since("month", s)) for p, s in starts.items()}
    rows = _rows(
        LastActiveMonth.objects.filter(organisation_id=org)
        .exclude(kind=Trace.ANY)
        .values("cohort_id", "kind", "practice", "courage")
        .annotate(**aggregates)
        .order_by()
    )
    result: dict[int | None, dict[tuple[str, str], int]] = defaultdict(dict)
    for row in rows:
        kind, practice, courage = row["kind"], row["practice"], row["courage"]
        if kind == Trace.FOLLOW:
            what = (
                f"practice:{practice}"
                if practice
                else f"courage:{courage}"
                if courage
                else "follow"
            )
        else:
            what = str(kind)
        for period in starts:
            result[row["cohort_id"]][(what, period)] = int(row[f"n__{period}"] or 0)
    for cohort, people in (
        LastActiveMonth.objects.filter(organisation_id=org, kind=Trace.ANY, month__gte=recent)
        .values_list("cohort_id")
        .annotate(n=Sum("people"))
        .values_list("cohort_id", "n")
        .order_by()
    ):
        result[cohort][("active30", "")] = int(people or 0)
    return result


def _bucket_sums(org: int, first: date | None, before: date | None) -> tuple[str, list[Any]]:
    """SQL and its parameters: MonthTotal summed over the months from `first` up to `before`
    (None: no bound) per scope and breakdown bucket, as rows (cohort_id, practice, courage,
    *TOTAL_FIELDS) with the buckets of EarlierTotal."""
    table = _quote(MonthTotal._meta.db_table)
    sums = ", ".join(f"SUM({_quote(field)}) AS {_quote(field)}" for field in TOTAL_FIELDS)
    where, params = "organisation_id = %s", [org]
    if first is not None:
        where += f" AND {_quote('month')} >= %s"
        params.append(_sql_date(first))
    if before is not None:
        where += f" AND {_quote('month')} < %s"
        params.append(_sql_date(before))
    parts = [
        f"SELECT cohort_id, '' AS practice, 0 AS courage, {sums} FROM {table}"
        f" WHERE {where} GROUP BY cohort_id",
        f"SELECT cohort_id, practice, 0, {sums} FROM {table}"
        f" WHERE {where} AND practice <> '' GROUP BY cohort_id, practice",
        f"SELECT cohort_id, '', courage, {sums} FROM {table}"
        f" WHERE {where} AND courage <> 0 GROUP BY cohort_id, courage",
    ]
    return " UNION ALL ".join(parts), params * len(parts)


def _bucket(practice: str, courage: int) -> str:
    if practice:
        return f"practice:{practice}"
    return f"courage:{courage}" if courage else "all"


def _sum_earlier_months(organisation: Organisation, month: date) -> None:
    """Fill EarlierTotal: for each period, its months before `month`, summed."""
    EarlierTotal.objects.filter(organisation=organisation).delete()
    table = _quote(EarlierTotal._meta.db_table)
    columns = ", ".join(
        _quote(c)
        for c in ["organisation_id", "period", "cohort_id", "practice", "courage", *TOTAL_FIELDS]
    )
    picked = ", ".join(
        f"b.{_quote(c)}" for c in ["cohort_id", "practice", "courage", *TOTAL_FIELDS]
    )
    for period, first in _starts(month).items():
        if first == month:
            continue
        sql, params = _bucket_sums(organisation.pk, first, month)
        _execute(
            f"INSERT INTO {table} ({columns}) SELECT %s, %s, {picked} FROM ({sql}) b",
            [organisation.pk, period, *params],
        )


def _roll_earlier_months(organisation: Organisation, old: date, new: date) -> None:
    """EarlierTotal for month `new` from the one for `old`, the month before: add month `old`,
    take away the months that fell out of each period. A few one-month reads instead of
    adding up every month again (the first refresh of each month), all in one statement."""
    org = organisation.pk
    table = _quote(EarlierTotal._meta.db_table)
    keys = ["period", "cohort_id", "practice", "courage"]
    fields = [_quote(field) for field in TOTAL_FIELDS]
    parts = [f"SELECT {', '.join([*keys, *fields])} FROM {table} WHERE organisation_id = %s"]
    params: list[Any] = [org]
    month_ended, added = _bucket_sums(org, old, new)
    for period in PERIOD_ORDER:
        start_old, start_new = period_start(period, old), period_start(period, new)
        if start_new == new:
            continue  # nothing earlier in the month period
        parts.append(f"SELECT %s, b.* FROM ({month_ended}) b")
        params += [period, *added]
        if start_old is not None and start_new is not None:
            sql, left = _bucket_sums(org, start_old, start_new)
            negated = ", ".join(f"-b.{field}" for field in fields)
            parts.append(f"SELECT %s, b.cohort_id, b.practice, b.courage, {negated} FROM ({sql}) b")
            params += [period, *left]
    # The new rows go in before the old ones are taken out: by id.
    last = EarlierTotal.objects.filter(organisation_id=org).aggregate(last=Max("pk"))["last"]
    sums = ", ".join(f"SUM({field})" for field in fields)
    _execute(
        f"INSERT INTO {table} (organisation_id, {', '.join([*keys, *fields])})"
        f" SELECT %s, {', '.join(keys)}, {sums} FROM ({' UNION ALL '.join(parts)}) t"
        f" GROUP BY {', '.join(keys)}"
        f" HAVING {' OR '.join(f'SUM({field}) <> 0' for field in fields)}",
        [org, *params],
    )
    if last is not None:
        EarlierTotal.objects.filter(organisation_id=org, pk__lte=last).delete()


def _month_sums(
    org: int, starts: dict[str, date | None], month: date
) -> dict[tuple[int | None, str], dict[str, list[float]]]:
    """(scope, period) -> sums of TOTAL_FIELDS over everything ("all"), each practice
    ("practice:<slug>") and each courage level ("courage:<level>"): the earlier months'
    from EarlierTotal (worked out for `month`), plus this month's, added up in SQL."""
    keys = ["cohort_id", "period", "practice", "courage"]
    fields = [_quote(field) for field in TOTAL_FIELDS]
    periods = " UNION ALL ".join("SELECT CAST(%s AS VARCHAR(8)) AS period" for _ in starts)
    this_month, params = _bucket_sums(org, month, None)
    sql = (
        f"SELECT {', '.join(keys)}, {', '.join(f'CAST(SUM({f}) AS BIGINT)' for f in fields)}"
        " FROM ("
        f"SELECT {', '.join([*keys, *fields])} FROM {_quote(EarlierTotal._meta.db_table)}"
        " WHERE organisation_id = %s"
        " UNION ALL"
        f" SELECT b.cohort_id, p.period, b.practice, b.courage,"
        f" {', '.join(f'b.{f}' for f in fields)} FROM ({this_month}) b CROSS JOIN ({periods}) p"
        f") t GROUP BY {', '.join(keys)}"
    )
    result: dict[tuple[int | None, str], dict[str, list[float]]] = defaultdict(dict)
    for cohort, period, practice, courage, *sums in _fetch(sql, [org, *params, *starts]):
        result[(cohort, period)][_bucket(practice, courage)] = [float(v or 0) for v in sums]
    return result


def _retention(organisation: Organisation, scopes: list[int | None], today: date) -> list[Draft]:
    current = _month_index(today)
    active: dict[int | None, list[int]] = defaultdict(lambda: [0] * RETENTION_MONTHS)
    eligible: dict[int | None, list[int]] = defaultdict(lambda: [0] * RETENTION_MONTHS)
    for cohort, kind, number, people in RetentionCount.objects.filter(
        organisation=organisation
    ).values_list("cohort_id", "kind", "number", "people"):
        if kind == RetentionCount.Kind.ACTIVE:
            active[cohort][number] += people
            continue
        # Someone who joined in month j has had the k-th month after it if j <= current - k.
        for k in range(max(0, min(RETENTION_MONTHS, current - number + 1))):
            eligible[cohort][k] += people
    # The same in every period: stored once, under Period.ALL (RETENTION_PERIOD).
    drafts = []
    for scope in scopes:
        for k in range(RETENTION_MONTHS):
            people, base = active[scope][k], eligible[scope][k]
            drafts.append(
                Draft(
                    scope,
                    RETENTION_PERIOD,
                    "retention",
                    str(k),
                    people,
                    _vals(people, base),
                    base=base,
                )
            )
    return drafts


def _growth(org: int, scopes: list[int | None], starts: dict[str, date | None]) -> list[Draft]:
    aggregates: dict[str, Any] = {}
    for p, s in starts.items():
        since = _since("month", s)
        aggregates[f"n__{p}"] = Sum("people", filter=since)
        aggregates[f"d__{p}"] = Sum("change", filter=since)
        aggregates[f"dd__{p}"] = Sum("squares", filter=since)
        aggregates[f"b__{p}"] = Sum("baselines", filter=since)
    rows = _rows(
        GrowthMonth.objects.filter(organisation_id=org)
        .values("cohort_id", "practice")
        .annotate(**aggregates)
        .order_by()
    )
    found: dict[tuple[int | None, str], dict[str, Any]] = {
        (r["cohort_id"], r["practice"]): r for r in rows
    }
    drafts = []
    for scope in scopes:
        for practice in Practice.values:
            row = found.get((scope, practice), {})
            for p in PERIOD_ORDER:
                n = int(row.get(f"n__{p}", 0) or 0)
                drafts.append(
                    Draft(
                        scope,
                        p,
                        "growth",
                        practice,
                        n,
                        _vals(row.get(f"d__{p}"), row.get(f"dd__{p}"), row.get(f"b__{p}")),
                    )
                )
    return drafts


def _feedback(org: int, scopes: list[int | None], starts: dict[str, date | None]) -> list[Draft]:
    """Session pulses that have closed and reached the threshold (each such session adds at
    least `minimum` different people, so no total can come down to one person's answer)."""
    aggregates: dict[str, Any] = {}
    for p, s in starts.items():
        since = Q() if s is None else Q(starts_at__gte=_bounds(s, s)[0])
        aggregates[f"n__{p}"] = Sum("answers", filter=since)
        aggregates[f"u__{p}"] = Sum("useful", filter=since)
        aggregates[f"s__{p}"] = Sum("safe", filter=since)
        aggregates[f"k__{p}"] = Count("pk", filter=since)
        aggregates[f"g__{p}"] = Sum("good", filter=since)
    rows = _rows(
        SessionFeedback.objects.filter(organisation_id=org, answers__gte=min_cell())
        .values("cohort_id")
        .annotate(**aggregates)
        .order_by()
    )
    per: dict[int | None, dict[str, list[float]]] = {}
    for row in rows:
        per[row["cohort_id"]] = {
            p: [float(row[f"{x}__{p}"] or 0) for x in "nuskg"] for p in PERIOD_ORDER
        }
    # Sessions belong to one cohort each, so the organisation's figures are their sums.
    whole = {p: [sum(v[p][i] for v in per.values()) for i in range(5)] for p in PERIOD_ORDER}
    per[None] = whole
    drafts = []
    for scope in scopes:
        for p in PERIOD_ORDER:
            n, useful, safe, sessions, good = per.get(scope, {}).get(p, [0.0] * 5)
            drafts.append(
                Draft(scope, p, "feedback", "all", int(n), _vals(useful, safe, sessions, good))
            )
    return drafts


def _fold_feedback(organisation: Organisation, now: datetime) -> bool:
    """Add up the answers of every session whose pulse has closed since the last fold (a
    session with no answers gets a row too, so it is not looked at again). Says whether any
    session was added."""
    newly_closed = Session.objects.filter(
        cohort__organisation=organisation, starts_at__lte=now - PULSE_CLOSED_AFTER
    ).exclude(Exists(SessionFeedback.objects.filter(session_id=OuterRef("pk"))))
    closed = list(newly_closed.values_list("pk", "cohort_id", "starts_at"))
    if not closed:
        return False
    sums = {
        session: (answers, useful, safe, good)
        for session, answers, useful, safe, good in PulseAnswer.objects.filter(
            session__in=newly_closed.values("pk")
        )
        .values("session_id")
        .annotate(
            n=Count("pk"), u=Sum("useful"), s=Sum("safe"), g=Count("pk", filter=Q(useful__gte=4))
        )
        .values_list("session_id", "n", "u", "s", "g")
        .order_by()
    }
    SessionFeedback.objects.bulk_create(
        [
            SessionFeedback(
                organisation=organisation,
                session_id=pk,
                cohort_id=cohort,
                starts_at=starts_at,
                **dict(
                    zip(
                        ["answers", "useful", "safe", "good"],
                        sums.get(pk, (0, 0, 0, 0)),
                        strict=True,
                    )
                ),
            )
            for pk, cohort, starts_at in closed
        ],
        batch_size=2000,
    )
    return True


def _fold_safety(organisation: Organisation, today: date) -> bool:
    """Add up the answers of every pulse that has closed before `today` and has no total yet
    (a pulse nobody answered gets one too, so it is not looked at again). Says whether any
    pulse was added."""
    closed = list(
        SafetyPulse.objects.filter(organisation=organisation, closes_on__lt=today)
        .exclude(Exists(SafetyTotal.objects.filter(pulse_id=OuterRef("pk"))))
        .values_list("pk", flat=True)
    )
    if not closed:
        return False
    # Named apart from the answer's own fields, which the filters below refer to.
    aggregates: dict[str, Any] = {"total_answers": Count("pk")}
    for item in SAFETY_ITEMS:
        aggregates[f"total_{item.field}"] = Sum(item.field)
        aggregates[f"total_{item.field}_agree"] = Count("pk", filter=Q(**{f"{item.field}__gte": 4}))
    sums = {
        row.pop("pulse_id"): {name.removeprefix("total_"): value for name, value in row.items()}
        for row in _rows(
            SafetyAnswer.objects.filter(pulse_id__in=closed)
            .values("pulse_id")
            .annotate(**aggregates)
            .order_by()
        )
    }
    SafetyTotal.objects.bulk_create(
        [SafetyTotal(organisation=organisation, pulse_id=pk, **sums.get(pk, {})) for pk in closed],
        batch_size=2000,
    )
    return True


def _safety(
    org: int, scopes: list[int | None], starts: dict[str, date | None], today: date
) -> list[Draft]:
    """Closed pulses only: results that change while a pulse is open would give away each
    new answer to someone who looks before and after."""
    pulses = {
        pulse.pk: pulse
        for pulse in SafetyPulse.objects.filter(organisation_id=org, closes_on__lt=today)
    }
    if not pulses:
        return []
    totals = {total.pulse_id: total for total in SafetyTotal.objects.filter(organisation_id=org)}
    known = set(scopes)
    drafts = []
    for pulse_id, pulse in pulses.items():
        if pulse.cohort_id not in known:
            continue
        total = totals.get(pulse_id)
        for p, s in starts.items():
            if s is not None and pulse.closes_on < s:
                continue
            dates = f"{pulse.opens_on.isoformat()}|{pulse.closes_on.isoformat()}"
            for item in SAFETY_ITEMS:
                key = f"{pulse_id}|{dates}|{item.field}"
                drafts.append(
                    Draft(
                        pulse.cohort_id,
                        p,
                        "safety",
                        key,
                        total.answers if total else 0,
                        _vals(
                            getattr(total, item.field, 0),
                            getattr(total, f"{item.field}_agree", 0),
                        ),
                    )
                )
    return drafts


# --- suppression over all views ------------------------------------------------------------

# Sections whose keys add up to the "total" key of the practice section.
BREAKDOWNS = {"practice": [*Practice.values], "courage": [str(c) for c in Courage.values]}


def apply_suppression(drafts: list[Draft], minimum: int) -> None:
    """Threshold, then differencing between nested views, then complementary suppression."""
    for d in drafts:
        if suppression.too_small(d.people, minimum) or (
            d.base is not None and suppression.too_small(d.base, minimum)
        ):
            d.hidden = "small"
    groups: dict[tuple[str, str], dict[tuple[int | None, str], Draft]] = defaultdict(dict)
    for d in drafts:
        groups[(d.section, d.key)][(d.cohort, d.period)] = d
    rank = {p: i for i, p in enumerate(PERIOD_ORDER)}

    def containers(view: tuple[int | None, str]) -> list[tuple[int | None, str]]:
        scope, period = view
        wider = [p for p in PERIOD_ORDER if rank[p] >= rank[period]]
        out = [(scope, p) for p in wider if p != period]
        if scope is not None:
            out += [(None, p) for p in wider]
        return out

    for views in groups.values():
        shown = {v: d.people for v, d in views.items() if not d.hidden}
        for view in suppression.nested_differences(shown, containers, minimum):
            views[view].hidden = "difference"
        # The organisation minus cohorts that do not overlap.
        cohorts_in: dict[str, dict[int, Draft]] = defaultdict(dict)
        for (cohort, period), d in views.items():
            if cohort is not None:
                cohorts_in[period][cohort] = d
        for period, cohorts in cohorts_in.items():
            whole = views.get((None, period))
            if whole is None or whole.hidden:
                continue
            parts = {c: d.people for c, d in cohorts.items()}
            already = {c for c, d in cohorts.items() if d.hidden}
            for cohort in (
                suppression.remainder_hides(whole.people, parts, already, minimum) - already
            ):
                cohorts[cohort].hidden = "difference"
    # Complementary suppression inside each view's breakdowns.
    by_view: dict[tuple[int | None, str, str], dict[str, Draft]] = defaultdict(dict)
    for d in drafts:
        if d.section in BREAKDOWNS and d.key != "total":
            by_view[(d.cohort, d.period, d.section)][d.key] = d
    for cells in by_view.values():
        people = {k: d.people for k, d in cells.items()}
        hidden = {k for k, d in cells.items() if d.hidden}
        for key in suppression.complement(people, hidden, minimum) - hidden:
            cells[key].hidden = "complement"
