"""Reading database ids from text a person can type: query strings, form fields, paths.

`str.isdigit()` says yes to "²" and "١٢", which `int()` then refuses or reads as another
number, and a number past the database's integer range breaks the query instead of simply
finding nothing. Every id that comes from outside goes through `parse_id`.
"""

from __future__ import annotations

# Ids are Django's BigAutoField: a signed 64-bit integer on SQLite and PostgreSQL alike.
MAX_ID = 2**63 - 1
_MAX_DIGITS = len(str(MAX_ID))
_ASCII_DIGITS = frozenset("0123456789")


def parse_id(value: object) -> int | None:
    """The id written in `value` (ASCII digits only, 1 to MAX_ID), or None for anything else:
    signs, spaces, other scripts' digits, superscripts, an empty string, or a number too big
    for the database."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if 1 <= value <= MAX_ID else None
    if not isinstance(value, str) or not value or len(value) > _MAX_DIGITS:
        return None
    if not set(value) <= _ASCII_DIGITS:
        return None
    number = int(value)
    return number if 1 <= number <= MAX_ID else None


def parse_ids(values: object, *, separator: str = ",") -> list[int]:
    """Every well-formed id in a separated list, in order; the others are left out."""
    if not isinstance(values, str):
        return []
    return [number for part in values.split(separator) if (number := parse_id(part)) is not None]
