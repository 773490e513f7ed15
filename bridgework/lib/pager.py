"""Pages of a list that are never counted.

Django's paginator counts the whole list to say "page 3 of 12": on a busy space that COUNT
reads every thread, and on an annotated list it builds the whole query a second time. These
pagers read one row more than a page holds instead, which is all "Next" needs.

`page_of` numbers its pages ("Page 3", `?page=3`): the database still reads and throws away
every row before the page, so it is for lists that stay short (a cohort's members, the
spaces, the cohorts, a thread's posts). `keyset_page` is for lists that grow without bound
(a space's threads, notifications, the moderation log, the people of an organisation): a
page starts after or ends before one row (`?after=<id>`, `?before=<id>`), found through the
list's own index, so the last page costs what the first does.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from bridgework.lib.ids import parse_id
from bridgework.lib.prepared import Rows

# Beyond this a page number is not one a person followed a link to.
LAST_PAGE = 10_000


class Sliceable[T](Protocol):
    """A query set or a list: anything that can be cut into a slice of rows."""

    def __getitem__(self, index: slice) -> Iterable[T]: ...


class _Rows[T]:
    """What both pagers' pages share: the rows shown, and whether more follow."""

    def __init__(self, object_list: list[T], *, has_next: bool) -> None:
        self.object_list = object_list
        self._has_next = has_next

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        raise NotImplementedError

    def has_other_pages(self) -> bool:
        return self._has_next or self.has_previous()


class Page[T](_Rows[T]):
    """The subset of Django's `Page` that the templates use, without `paginator`."""

    def __init__(self, object_list: list[T], number: int, has_next: bool) -> None:
        super().__init__(object_list, has_next=has_next)
        self.number = number

    def has_previous(self) -> bool:
        return self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_number(raw: Any) -> int:
    """The page asked for: plain digits from 1 up, else the first page."""
    text = str(raw or "")
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and 0 < int(text) <= LAST_PAGE):
        return 1
    return int(text)


def page_of[T](items: Sliceable[T], raw_number: Any, per_page: int) -> Page[T]:
    """The page `raw_number` (as it came in the address) of `items`, a query set or a list.

    A page past the end is a 404: the pager never links there, and without a count there
    is no last page to fall back to."""
    number = page_number(raw_number)
    start = (number - 1) * per_page
    rows = list(items[start : start + per_page + 1])
    if not rows and number > 1:
        raise Http404("No such page.")
    return Page(rows[:per_page], number, has_next=len(rows) > per_page)


class KeysetPage[T: Model](_Rows[T]):
    """A page of `keyset_page`: its rows, and the queries of the pages either side of it
    (`?after=` its last row, `?before=` its first), for `includes/pager.html`."""

    number = None  # no page numbers: counting the rows before the page is what it avoids

    def __init__(self, object_list: list[T], *, has_previous: bool, has_next: bool) -> None:
        super().__init__(object_list, has_next=has_next)
        self._has_previous = has_previous

    def has_previous(self) -> bool:
        return self._has_previous

    def previous_query(self) -> str:
        return f"before={self.object_list[0].pk}"

    def next_query(self) -> str:
        return f"after={self.object_list[-1].pk}"


def keyset_page[T: Model](
    items: QuerySet[T] | Rows[T], params: Mapping[str, Any], per_page: int
) -> KeysetPage[T]:
    """The page of `items` that `params` (the request's GET) asks for: the first, or the one
    after (`after=<id>`) or before (`before=<id>`) a row of the list.

    `items` must be ordered by fields that are never null, ending with `pk` or `-pk`, so that
    every row has its own place. The row named in the address is looked up in `items`
    itself: a row the reader may not see, or one that is gone, gives the first page and
    says nothing about where it would have been. `items` may be a prepared query's rows:
    its first page is then read prepared, the others through the ORM."""
    after, before = parse_id(params.get("after")), parse_id(params.get("before"))
    cursor = after if after is not None else before
    place = None
    if not isinstance(items, Rows) or cursor is not None:
        queryset = items.query_set() if isinstance(items, Rows) else items
        keys = _ordering(queryset)
    if cursor is not None:
        place = queryset.filter(pk=cursor).values_list(*(name for name, _ in keys)).first()
    if place is not None:
        forward = cursor == after
        beyond = queryset.filter(_beyond(keys, list(place), forward=forward))
        if forward:
            rows = list(beyond[: per_page + 1])
            if rows:
                return KeysetPage(rows[:per_page], has_previous=True, has_next=len(rows) > per_page)
        else:
            rows = list(beyond.reverse()[: per_page + 1])
            if rows:
                return KeysetPage(
                    rows[:per_page][::-1], has_previous=len(rows) > per_page, has_next=True
                )
    # The first page; also for a link whose page has since emptied (its rows were deleted).
    rows = list(items[: per_page + 1])
    return KeysetPage(rows[:per_page], has_previous=False, has_next=len(rows) > per_page)


def _ordering(items: QuerySet[Any]) -> list[tuple[str, bool]]:
    """The fields `items` is ordered by, each with whether it runs from high to low."""
    ordering = items.query.order_by or items.model._meta.ordering
    keys = []
    for entry in ordering:
        if not isinstance(entry, str):
            raise ValueError(f"A keyset page orders by field names, not {entry!r}.")
        keys.append((entry.removeprefix("-"), entry.startswith("-")))
    if not keys or keys[-1][0] not in {"pk", "id"}:
        raise ValueError("A keyset page's ordering ends with the primary key.")
    return keys


def _beyond(keys: list[tuple[str, bool]], values: list[Any], *, forward: bool) -> Q:
    """The rows after (`forward`) or before the row whose keys are `values`, as a filter
    whose first condition is a range on the first key, so the database starts from the
    index instead of testing every row: `a <= x AND (a < x OR (a = x AND …))`."""
    (name, descending), *rest = keys
    value = values[0]
    if value is None:
        raise ValueError(f"A keyset page cannot order by {name}, which can be null.")
    past = "lt" if descending == forward else "gt"
    if not rest:
        return Q(**{f"{name}__{past}": value})
    return Q(**{f"{name}__{past}e": value}) & (
        Q(**{f"{name}__{past}": value})
        | Q(**{name: value}) & _beyond(rest, values[1:], forward=forward)
    )
