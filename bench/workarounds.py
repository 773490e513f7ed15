"""A stand-in for one rollup step, used by the benchmark only when the real one cannot finish.

On PostgreSQL, `rollups._mark_months` (insights' rebuild) runs one UPDATE per month whose
WHERE clause ORs four `person_id IN (subquery)` tests. The check-in subquery returns a few
hundred thousand rows, more than fits in `work_mem` (4 MB by default), so PostgreSQL cannot
hash it and re-scans it for every PersonMonths row: one month takes longer than ten minutes
at 100,000 people (see /work/notes/bench-findings.md). SQLite is not affected.

`mark_months_in_one_statement` sets the same bits in one statement: the distinct (person,
month) pairs of all four sources, each month's bit summed per person (distinct powers of
two, so the sum is their bitwise OR), ORed into the stored bitmap. The benchmark installs it
only after the real rebuild has hit its time limit, says so in the results, and times the
rebuild again with it, so the remaining numbers (incremental day, dashboard) can be measured.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

SOURCES = [
    ("practice_checkin", "created_at", ""),
    ("practice_commitment", "created_at", ""),
    ("curriculum_lessonprogress", "completed_at", ""),
    ("cohorts_attendance", "marked_at", "AND status = 'present'"),
]


def _month_sql(column: str, zone: str) -> str:
    local = f"({column} AT TIME ZONE '{zone}')"
    return f"(EXTRACT(YEAR FROM {local}) * 12 + EXTRACT(MONTH FROM {local}) - 1)::integer"


def make_mark_months(original: Callable[..., None]) -> Callable[..., None]:
    from django.conf import settings
    from django.db import connection

    def mark_months_in_one_statement(
        organisation: Any, months: Iterable[tuple[int, datetime, datetime]]
    ) -> None:
        months = list(months)
        original(organisation, [])  # only makes sure everyone has a row
        if not months:
            return
        first = min(start for _, start, _ in months)
        after = max(end for _, _, end in months)
        zone = str(settings.TIME_ZONE)
        union = " UNION ".join(
            f"SELECT person_id, {_month_sql(column, zone)} AS m FROM {table} "
            f"WHERE {column} >= %s AND {column} < %s {extra}"
            for table, column, extra in SOURCES
        )
        statement = f"""
            UPDATE insights_personmonths pm SET months = pm.months | b.bits
            FROM (
                SELECT a.person_id,
                       CAST(SUM(CAST(1 AS bigint) << (a.m - p.joined_month)) AS bigint) AS bits
                FROM ({union}) a
                JOIN insights_personmonths p ON p.person_id = a.person_id
                WHERE p.organisation_id = %s
                  AND a.m >= p.joined_month AND a.m < p.joined_month + 63
                GROUP BY a.person_id
            ) b
            WHERE pm.person_id = b.person_id
        """
        params: list[Any] = []
        for _ in SOURCES:
            params += [first, after]
        params.append(organisation.pk)
        with connection.cursor() as cursor:
            cursor.execute(statement, params)

    return mark_months_in_one_statement


@contextmanager
def one_statement_mark_months() -> Iterator[None]:
    """While inside: rollups use the stand-in (for the rebuild only; update_day keeps the
    real step, whose one-day subqueries are small enough to hash)."""
    from bridgework.insights import rollups

    original: Any = rollups._mark_months
    if "months" not in inspect.signature(original).parameters:
        # insights already sets the bits in one statement: nothing to stand in for.
        yield
        return
    rollups._mark_months = make_mark_months(original)
    try:
        yield
    finally:
        rollups._mark_months = original
