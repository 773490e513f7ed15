"""How many people are in something, said so that it does not give anyone away.

An exact member count that moves from 2 to 3 tells everyone watching that someone joined,
and often who. So outside a group's own leads a count is shown only as a band: anything
under five is "fewer than 5" (no small number, not even 0), then 5 to 9, 10 to 24, 25 to 49,
50 to 99 (each written with an en dash) and "100 or more". A join or leave inside a band
changes nothing that others see.
"""

from __future__ import annotations

from itertools import pairwise

from django.utils.translation import gettext

SMALLEST_SHOWN = 5
# The lower edge of each band; a band runs to one below the next edge.
BAND_EDGES = (SMALLEST_SHOWN, 10, 25, 50, 100)


def member_count_band(count: int) -> str:
    """The band a count falls in, as words to put before "members"."""
    if count < 0:
        raise ValueError("A member count cannot be negative.")
    if count < SMALLEST_SHOWN:
        return gettext("fewer than %(smallest)s") % {"smallest": SMALLEST_SHOWN}
    for low, next_low in pairwise(BAND_EDGES):
        if count < next_low:
            return f"{low}\N{EN DASH}{next_low - 1}"
    return gettext("%(largest)s or more") % {"largest": BAND_EDGES[-1]}


def member_count_phrase(count: int) -> str:
    """The band as a whole phrase in the active language ("Fewer than 5 members"): each
    language words the count with its noun in its own way."""
    if count < 0:
        raise ValueError("A member count cannot be negative.")
    if count < SMALLEST_SHOWN:
        return gettext("Fewer than %(smallest)s members") % {"smallest": SMALLEST_SHOWN}
    for low, next_low in pairwise(BAND_EDGES):
        if count < next_low:
            return gettext("%(low)s–%(high)s members") % {  # noqa: RUF001
                "low": low,
                "high": next_low - 1,
            }
    return gettext("%(largest)s or more members") % {"largest": BAND_EDGES[-1]}
