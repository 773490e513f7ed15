"""A page of a list that is never counted.

Django's paginator counts the whole list to say "page 3 of 12": on a busy space that COUNT
reads every thread, and on an annotated list it builds the whole query a second time. This
pager reads one row more than a page holds instead, which is all "Next" needs, so a page
costs one query whatever the list's length. `includes/pager.html` shows it as "Page 3".
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from django.http import Http404

# Beyond this a page number is not one a person followed a link to.
LAST_PAGE = 10_000


class Sliceable[T](Protocol):
    """A query set or a list: anything that can be cut into a slice of rows."""

    def __getitem__(self, index: slice) -> Iterable[T]: ...


class Page[T]:
    """The subset of Django's `Page` that the templates use, without `paginator`."""

    def __init__(self, object_list: list[T], number: int, has_next: bool) -> None:
        self.object_list = object_list
        self.number = number
        self._has_next = has_next

    def __iter__(self) -> Iterator[T]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self._has_next or self.number > 1

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
