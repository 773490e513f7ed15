"""The pagers that never count: one extra row says whether there is a next page. Numbered
pages for short lists; keyset pages, which start after or end before a row, for long ones."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import QuerySet
from django.db.models.functions import Lower
from django.http import Http404, QueryDict

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.pager import keyset_page, page_of


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


# --- keyset pages: lists that grow without bound ------------------------------------------


@pytest.fixture
def crowd(organisation: Organisation, other_organisation: Organisation) -> QuerySet[Person]:
    """23 people, several sharing a name, so the id decides between them; and one elsewhere."""
    names = ["Ada", "Bea", "Bea", "Bea", "Cy", "Dee", "Dee", "Eve"] * 3
    Person.objects.bulk_create(
        Person(organisation=organisation, email=f"p{n}@example.org", chosen_name=name)
        for n, name in enumerate(names[:23])
    )
    Person.objects.create(organisation=other_organisation, email="x@example.org", chosen_name="Bea")
    return Person.objects.filter(organisation=organisation).order_by("chosen_name", "pk")


def walk(people: QuerySet[Person], per_page: int, *, backwards: bool = False) -> list[list[int]]:
    """Every page, following the Next (or, from the last page, Previous) links."""
    page = keyset_page(people, {}, per_page)
    pages = [[p.pk for p in page]]
    while page.has_next():
        page = keyset_page(people, QueryDict(page.next_query()), per_page)
        pages.append([p.pk for p in page])
    if not backwards:
        return pages
    pages = [[p.pk for p in page]]
    while page.has_previous():
        page = keyset_page(people, QueryDict(page.previous_query()), per_page)
        pages.insert(0, [p.pk for p in page])
    return pages


def test_following_next_gives_every_row_once_in_order(crowd: QuerySet[Person]) -> None:
    everyone = list(crowd.values_list("pk", flat=True))
    pages = walk(crowd, 5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert [pk for page in pages for pk in page] == everyone


def test_following_previous_from_the_last_page_gives_the_same_pages(
    crowd: QuerySet[Person],
) -> None:
    assert walk(crowd, 5, backwards=True) == walk(crowd, 5)


def test_the_first_page_has_no_previous_and_the_last_no_next(crowd: QuerySet[Person]) -> None:
    first = keyset_page(crowd, {}, 5)
    assert first.has_next() and not first.has_previous() and first.number is None
    last_row = crowd.last()
    assert last_row is not None
    before_last = keyset_page(crowd, {"before": str(last_row.pk)}, 30)
    assert len(before_last) == 22 and not before_last.has_previous() and before_last.has_next()


def test_a_page_after_a_row_reads_from_that_row_not_from_the_start(
    crowd: QuerySet[Person], django_assert_num_queries: Any
) -> None:
    rows = list(crowd)
    # Where the row is, then the page: two queries however deep, each with a LIMIT.
    with django_assert_num_queries(2) as captured:
        page = keyset_page(crowd, {"after": str(rows[-3].pk)}, 5)
    assert [p.pk for p in page] == [rows[-2].pk, rows[-1].pk] and not page.has_next()
    assert all("LIMIT" in query["sql"] for query in captured.captured_queries)


@pytest.mark.parametrize("raw", ["", "0", "-1", "two", "1.5", "²", "9" * 5000])
def test_anything_but_an_id_gives_the_first_page(crowd: QuerySet[Person], raw: str) -> None:
    page = keyset_page(crowd, {"after": raw}, 5)
    assert [p.pk for p in page] == list(crowd.values_list("pk", flat=True)[:5])
    assert not page.has_previous()


def test_a_row_outside_the_list_gives_the_first_page_and_says_nothing_of_it(
    crowd: QuerySet[Person], other_organisation: Organisation
) -> None:
    elsewhere = Person.objects.get(organisation=other_organisation)
    for direction in ("after", "before"):
        page = keyset_page(crowd, {direction: str(elsewhere.pk)}, 5)
        assert [p.pk for p in page] == list(crowd.values_list("pk", flat=True)[:5])
        assert not page.has_previous()


def test_a_link_whose_page_has_emptied_gives_the_first_page(crowd: QuerySet[Person]) -> None:
    rows = list(crowd)
    Person.objects.filter(pk__in=[p.pk for p in rows[-3:]]).delete()
    page = keyset_page(crowd, {"after": str(rows[-4].pk)}, 5)
    assert [p.pk for p in page] == [p.pk for p in rows[:5]]


def test_an_ordering_without_the_primary_key_last_is_refused(crowd: QuerySet[Person]) -> None:
    with pytest.raises(ValueError, match="primary key"):
        keyset_page(crowd.order_by("chosen_name"), {}, 5)
    with pytest.raises(ValueError, match="field names"):
        keyset_page(crowd.order_by(Lower("chosen_name"), "pk"), {}, 5)
