"""The pager that never counts: one extra row says whether there is a next page."""

from __future__ import annotations

import pytest
from django.http import Http404

from bridgework.lib.pager import page_of


def test_a_list_that_fits_on_one_page_has_no_other_pages() -> None:
    page = page_of(list(range(3)), None, 3)
    assert list(page) == [0, 1, 2]
    assert not page.has_next() and not page.has_previous() and not page.has_other_pages()


def test_one_row_more_than_a_page_means_there_is_a_next_page() -> None:
    first = page_of(list(range(4)), "1", 3)
    assert list(first) == [0, 1, 2] and first.has_next() and first.next_page_number() == 2
    second = page_of(list(range(4)), "2", 3)
    assert list(second) == [3] and not second.has_next()
    assert second.has_previous() and second.previous_page_number() == 1


@pytest.mark.parametrize("raw", ["", "0", "-1", "two", "1.5", "²", "9" * 5000, "10001"])
def test_anything_but_a_plain_page_number_is_the_first_page(raw: str) -> None:
    assert page_of(list(range(10)), raw, 3).number == 1


def test_a_page_past_the_end_is_not_found() -> None:
    with pytest.raises(Http404):
        page_of(list(range(3)), "2", 3)


def test_an_empty_list_is_an_empty_first_page() -> None:
    page = page_of(list[int](), "1", 3)
    assert len(page) == 0 and not page.has_other_pages()
