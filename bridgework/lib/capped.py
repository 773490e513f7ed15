"""Counting rows only as far as a page will say.

A list that shows "more than 99" next to a figure needs no more than 100 rows of it: these
subqueries read at most `cap` rows, so a busy space costs what a quiet one does. The rows
are taken in the query set's order (`order_by()` for none), which lets the figure follow an
index and stop.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery


class CappedCount(Subquery):
    """How many rows `queryset` (usually correlated with `OuterRef`) has, up to `cap`."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"

    def __init__(self, queryset: QuerySet[Any], cap: int) -> None:
        super().__init__(queryset.values("pk")[:cap], output_field=IntegerField())


class CappedSum(Subquery):
    """The sum of the column `n` (`queryset.values(n=...)`) over its first `cap` rows:
    with `n` 1 or 0, how many of those rows are of some kind."""

    template = "(SELECT COALESCE(SUM(capped.n), 0) FROM (%(subquery)s) AS capped)"

    def __init__(self, queryset: QuerySet[Any], cap: int) -> None:
        super().__init__(queryset[:cap], output_field=IntegerField())
