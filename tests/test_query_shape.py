"""No page's SQL multiplies rows before it counts them.

A page that aggregates over a join of two to-many relations (a space's threads and their
posts, a cohort's members and its sessions) counts a product of rows: the work grows with
the product of both sizes, and COUNT(DISTINCT ...) only hides the wrong numbers. The same
goes for a subquery in the select list next to an aggregate over a to-many join: the
subquery then runs once per joined row instead of once per listed row. And no query joins a
table it reads nothing from: Django leaves such a join behind when a model's default ordering
names a related field (members ordered by their person's name) and the query drops that
ordering, as counts grouped by cohort do; PostgreSQL then hashed all 100,000 people to count
one cohort's members. Query counts alone see none of this (the count stays flat while each
query slows down), so this test reads the SQL itself: every GET page of the project, from the
positions that see the most, with the sample objects of the authorization matrix.

A join is "to-many" when the joined table is matched on a column other than its primary
key (`space.id = thread.space_id` brings in every thread of a space). Subqueries are checked
level by level, each on its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from .conftest import Cast
from .test_authorization import ADMIN_PREFIX, all_routes, example_path, sample_values

__all__ = ["sample_values"]  # the fixture, used by name below

AGGREGATE = re.compile(r"\b(COUNT|SUM|MIN|MAX|AVG)\s*\(", re.IGNORECASE)
JOIN = re.compile(
    r'JOIN\s+"(?P<table>\w+)"(?:\s+(?:AS\s+)?"?(?P<alias>\w+)"?)?\s+ON\s+\('
    r'"(?P<t1>\w+)"\."(?P<c1>\w+)"\s*=\s*"(?P<t2>\w+)"\."(?P<c2>\w+)"',
    re.IGNORECASE,
)
PLACEHOLDER = "__SUBQUERY__"


def primary_keys() -> dict[str, str]:
    keys: dict[str, str] = {}
    for model in apps.get_models():
        pk = model._meta.pk
        if pk is not None and pk.column:
            keys[model._meta.db_table] = pk.column
    return keys


def split_subqueries(sql: str) -> tuple[str, list[str]]:
    """The query with each parenthesised SELECT replaced by a placeholder, and those SELECTs."""
    out: list[str] = []
    inner: list[str] = []
    i = 0
    while i < len(sql):
        if sql.startswith("(SELECT", i) or sql.startswith("( SELECT", i):
            depth, j, quoted = 0, i, False
            while j < len(sql):
                char = sql[j]
                if char == "'":
                    quoted = not quoted
                elif not quoted and char == "(":
                    depth += 1
                elif not quoted and char == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            inner.append(sql[i + 1 : j])
            out.append(PLACEHOLDER)
            i = j + 1
        else:
            out.append(sql[i])
            i += 1
    return "".join(out), inner


def to_many_joins(level: str, pks: dict[str, str]) -> list[str]:
    joined = []
    for match in JOIN.finditer(level):
        table, alias = match["table"], match["alias"] or match["table"]
        sides = [(match["t1"], match["c1"]), (match["t2"], match["c2"])]
        for name, column in sides:
            if name == alias and column != pks.get(table, "id"):
                joined.append(table)
    return joined


@dataclass
class Finding:
    sql: str
    why: str


def dangling_joins(sql: str) -> list[str]:
    """Tables joined that nothing in the query (its columns, conditions or subqueries) reads."""
    dangling = []
    for match in JOIN.finditer(sql):
        alias = match["alias"] or match["table"]
        reference = f'"{alias}".'
        if sql.count(reference) == match[0].count(reference):
            dangling.append(match["table"])
    return dangling


def multiplying_levels(sql: str, pks: dict[str, str]) -> list[Finding]:
    """Every level of the query (itself, then each subquery) that counts multiplied rows."""
    level, subqueries = split_subqueries(sql)
    findings = []
    if AGGREGATE.search(level):
        joins = to_many_joins(level, pks)
        select_list = level.split(" FROM ", 1)[0]
        if len(joins) >= 2:
            findings.append(Finding(sql, f"aggregate over a join of {', '.join(joins)}"))
        elif joins and PLACEHOLDER in select_list:
            findings.append(Finding(sql, f"subquery beside an aggregate over a join of {joins[0]}"))
    for inner in subqueries:
        findings.extend(multiplying_levels(inner, pks))
    return findings


def test_the_guard_sees_the_shapes_it_is_meant_to_catch() -> None:
    pks = primary_keys()
    two_joins = (
        'SELECT "cohorts_cohort"."id", COUNT(DISTINCT "cohorts_membership"."id"), '
        'MIN("cohorts_session"."starts_at") FROM "cohorts_cohort" '
        'LEFT OUTER JOIN "cohorts_membership" ON ("cohorts_cohort"."id" = '
        '"cohorts_membership"."cohort_id") LEFT OUTER JOIN "cohorts_session" ON '
        '("cohorts_cohort"."id" = "cohorts_session"."cohort_id") GROUP BY 1'
    )
    subquery_per_row = (
        'SELECT "community_space"."id", COUNT(DISTINCT "community_thread"."id"), '
        '(SELECT COUNT(U0."id") FROM "community_thread" U0 WHERE U0."space_id" = '
        '("community_space"."id") GROUP BY U0."space_id" LIMIT 1) AS "unread" '
        'FROM "community_space" LEFT OUTER JOIN "community_thread" ON '
        '("community_space"."id" = "community_thread"."space_id") GROUP BY 1'
    )
    to_one = (
        'SELECT COUNT(*) FROM "community_thread" INNER JOIN "community_space" ON '
        '("community_thread"."space_id" = "community_space"."id") INNER JOIN '
        '"accounts_person" ON ("community_thread"."author_id" = "accounts_person"."id")'
    )
    assert [f.why for f in multiplying_levels(two_joins, pks)] == [
        "aggregate over a join of cohorts_membership, cohorts_session"
    ]
    assert [f.why for f in multiplying_levels(subquery_per_row, pks)] == [
        "subquery beside an aggregate over a join of community_thread"
    ]
    assert multiplying_levels(to_one, pks) == []


def test_the_guard_sees_a_join_that_nothing_reads() -> None:
    left_behind_by_ordering = (
        'SELECT "cohorts_membership"."cohort_id" AS "cohort", COUNT("cohorts_membership"."id") '
        'AS "n" FROM "cohorts_membership" INNER JOIN "accounts_person" ON '
        '("cohorts_membership"."person_id" = "accounts_person"."id") WHERE '
        '"cohorts_membership"."status" = \'member\' GROUP BY 1'
    )
    read_by_a_subquery = (
        'SELECT "community_thread"."id" FROM "community_thread" INNER JOIN "community_space" '
        'ON ("community_thread"."space_id" = "community_space"."id") WHERE EXISTS(SELECT 1 '
        'FROM "community_spacemute" U0 WHERE U0."space_id" = ("community_space"."id"))'
    )
    assert dangling_joins(left_behind_by_ordering) == ["accounts_person"]
    assert dangling_joins(read_by_a_subquery) == []


@pytest.mark.parametrize("position", ["participant", "facilitator", "program_admin"])
def test_no_page_counts_rows_multiplied_by_a_join(
    position: str, cast: Cast, sample_values: dict[str, str]
) -> None:
    pks = primary_keys()
    client = cast.client(position)
    base_cookies = {key: morsel.value for key, morsel in client.cookies.items()}
    pages = 0
    failures = []
    for route, name in all_routes():
        if route.startswith(ADMIN_PREFIX):
            continue
        client.cookies = SimpleCookie(dict(base_cookies))
        path = example_path(route, sample_values)
        with transaction.atomic(), CaptureQueriesContext(connection) as captured:
            response = client.get(path, follow=False)
            transaction.set_rollback(True)
        if response.status_code != 200:
            continue
        pages += 1
        for query in captured.captured_queries:
            for finding in multiplying_levels(query["sql"], pks):
                failures.append(f"GET {path} ({name}): {finding.why}\n    {finding.sql[:400]}")
            for table in dangling_joins(query["sql"]):
                failures.append(
                    f"GET {path} ({name}): joins {table} and reads nothing from it\n"
                    f"    {query['sql'][:400]}"
                )
    assert pages > 30  # the walk reached the pages, not only error pages
    assert failures == [], "\n".join(failures)
