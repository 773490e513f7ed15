"""Counting rows only as far as a page will say.

A list that shows "more than 99" next to a figure needs no more than 100 rows of it: the
count below reads at most `cap` rows, so a busy space costs what a quiet one does.
"""

from __future__ import annotations

from typing import Any

from django.db.models import IntegerField, QuerySet, Subquery


class CappedCount(Subquery):
    """How many rows `queryset` (usually correlated with `OuterRef`) has, up to `cap`."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS capped)"

    def __init__(self, queryset: QuerySet[Any], cap: int) -> None:
        super().__init__(queryset.order_by().values("pk")[:cap], output_field=IntegerField())
