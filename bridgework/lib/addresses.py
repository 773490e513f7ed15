"""The address of one row of a long list, from a URL name reversed once per process.

`{% url %}` resolves the URL pattern again for every row; a thread page of twenty posts did it
some eighty times. `row_address` reverses each name once and puts the row's id into it. Only
for URL names that take a single integer argument. Templates use it as
`{{ row.pk|address:"url_name" }}` (`front/templatetags/addresses.py`)."""

from __future__ import annotations

from functools import cache

from django.urls import get_script_prefix, reverse

# Any integer the URL patterns accept; it is replaced by the row's id.
_PLACEHOLDER = 918273645


@cache
def _around_the_id(name: str, prefix: str) -> tuple[str, str]:
    reversed_once = reverse(name, args=[_PLACEHOLDER])
    head, found, tail = reversed_once.partition(str(_PLACEHOLDER))
    if not found or str(_PLACEHOLDER) in tail:
        raise ValueError(f"{name} does not take one integer argument")
    return head, tail


def row_address(row_id: int, name: str) -> str:
    head, tail = _around_the_id(name, get_script_prefix())
    return f"{head}{int(row_id)}{tail}"
