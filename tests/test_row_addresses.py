"""The `address` filter gives a list's rows the same addresses as `{% url %}`, reversing each
URL name once instead of once per row."""

from __future__ import annotations

import pytest
from django.template import Context, Template
from django.urls import reverse

from bridgework.lib.addresses import row_address as address


@pytest.mark.parametrize(
    "name", ["community_thread", "community_react", "cohort", "person_detail", "cohort_join"]
)
@pytest.mark.parametrize("row_id", [1, 7, 40, 918273645, 2_000_000_001])
def test_a_rows_address_is_what_url_reversing_gives(name: str, row_id: int) -> None:
    assert address(row_id, name) == reverse(name, args=[row_id])


def test_the_filter_works_in_a_template() -> None:
    html = Template('{% load addresses %}{{ pk|address:"community_thread" }}').render(
        Context({"pk": 12})
    )
    assert html == reverse("community_thread", args=[12])


def test_an_id_that_is_not_a_number_is_refused() -> None:
    with pytest.raises(ValueError):
        address("12/../../admin", "community_thread")  # type: ignore[arg-type]


def test_a_name_without_one_integer_argument_is_refused() -> None:
    with pytest.raises(Exception):  # noqa: B017 - NoReverseMatch or ValueError
        address(3, "home")


@pytest.mark.parametrize("row_id", [1, 40, 2_000_000_001])
@pytest.mark.parametrize("cohort_id", [3, 918273])
def test_arguments_the_rows_share_come_before_the_rows_id(cohort_id: int, row_id: int) -> None:
    expected = reverse("cohort_member_remove", args=[cohort_id, row_id])
    assert address(row_id, "cohort_member_remove", cohort_id) == expected
    html = Template(
        '{% load addresses %}{% address_in "cohort_member_remove" cohort row %}'
    ).render(Context({"cohort": cohort_id, "row": row_id}))
    assert html == expected
