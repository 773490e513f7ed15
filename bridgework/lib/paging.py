"""Pages of a list without counting it when one page holds all of it."""

from __future__ import annotations

from typing import Any

from django.core import paginator


class Paginator(paginator.Paginator):  # type: ignore[type-arg]
    """Django's paginator, minus its COUNT query when the first page is the whole list.

    Django counts the list before it fetches a page (to check the page number). For the
    first page this one fetches one row more than a page instead: fewer rows than that are
    the whole list, and its count is known. A longer list is counted as before, when a page
    link asks for it, so a list page runs one query fewer while it fits on a page and the
    same queries as Django's paginator after that."""

    def get_page(self, number: Any) -> paginator.Page:  # type: ignore[type-arg]
        if not _first(number) or "count" in self.__dict__ or self.orphans:
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            # `count` is a cached_property: filling its slot is what computing it does.
            self.__dict__["count"] = len(rows)
        page: paginator.Page = self._get_page(rows[: self.per_page], 1, self)  # type: ignore[attr-defined,type-arg]
        return page


def _first(number: Any) -> bool:
    """Whether Django's `get_page` would answer page 1 whatever the list's length: page 1
    itself, or a missing or non-numeric page number."""
    try:
        return int(number) == 1
    except (TypeError, ValueError):
        return True
