"""The address of one row of a long list, from a URL name reversed once per process.

`{% url %}` resolves the URL pattern again for every row; a thread page of twenty posts did it
some eighty times. `row_address` reverses each name once and puts the row's id into it. Only
for URL names whose last argument is the row's integer id. Templates use it as
`{{ row.pk|address:"url_name" }}` (`front/templatetags/addresses.py`)."""

from __future__ import annotations

from functools import lru_cache

from django.urls import get_script_prefix, reverse

# Any integer the URL patterns accept; it is replaced by the row's id.
_PLACEHOLDER = 918273645


# Bounded: names with leading arguments (a cohort's id) add an entry per cohort shown.
@lru_cache(maxsize=4096)
def _around_the_id(name: str, prefix: str, leading: tuple[int, ...]) -> tuple[str, str]:
    reversed_once = reverse(name, args=[*leading, _PLACEHOLDER])
    if reversed_once.count(str(_PLACEHOLDER)) != 1:
        raise ValueError(f"{name} does not take one integer argument after {leading}")
    head, _, tail = reversed_once.partition(str(_PLACEHOLDER))
    return head, tail


def row_address(row_id: int, name: str, *leading: int) -> str:
    """The address of `name` for the row; `leading` are the arguments before the row's id
    that are the same for every row of the list (the cohort of a list of its members)."""
    head, tail = _around_the_id(name, get_script_prefix(), tuple(int(n) for n in leading))
    return f"{head}{int(row_id)}{tail}"
