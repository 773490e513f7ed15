"""How many of a few people's anonymous answers fell on one side, said so that no one's
answer can be worked out: the rule of a session pulse's results (docs/privacy.md), shared
with an anonymous poll's tally.

A side is counted exactly only when it and the rest each hold at least `minimum` answers.
Otherwise the count is given as a band of at least `minimum` possible counts ("fewer than
5", "more than N-5"). Below twice `minimum` answers no count would leave `minimum` on each
side, so only whether the side holds more than half is said, each band at least three
counts wide. No band means none or all, and the bands do not overlap, so knowing the rule
tells a reader no more than the band does. The words belong to each caller: a band is a
value here, so that each sentence stays whole for translators."""

from __future__ import annotations

from enum import StrEnum


class Band(StrEnum):
    EXACT = "exact"
    FEWER_THAN_MINIMUM = "fewer"  # from 2 * minimum answers
    MORE_THAN_MOST = "more"  # more than total - minimum, from 2 * minimum answers
    BETWEEN = "between"  # minimum to total - minimum: exact allowed, withheld by a caller
    MORE_THAN_HALF = "over_half"  # below 2 * minimum answers
    HALF_OR_FEWER = "at_most_half"  # below 2 * minimum answers
    # Of two sides each the other's rest, the second's band is the first's complement:
    # "half or fewer" twice would add up to an exact tie.
    FEWER_THAN_HALF = "under_half"
    AT_LEAST_HALF = "at_least_half"


def band(count: int, total: int, minimum: int, *, halves_below: int = 0) -> Band:
    """The band of `count` answers on one side of `total`. A caller whose counts are read
    together may split at half up to a larger total (`halves_below`)."""
    if total < max(2 * minimum, halves_below):
        return Band.MORE_THAN_HALF if 2 * count > total else Band.HALF_OR_FEWER
    if count < minimum:
        return Band.FEWER_THAN_MINIMUM
    if total - count < minimum:
        return Band.MORE_THAN_MOST
    return Band.EXACT


def complement(of: Band) -> Band:
    """The band of the other side, when there are only two."""
    return {
        Band.MORE_THAN_HALF: Band.FEWER_THAN_HALF,
        Band.HALF_OR_FEWER: Band.AT_LEAST_HALF,
        Band.FEWER_THAN_HALF: Band.MORE_THAN_HALF,
        Band.AT_LEAST_HALF: Band.HALF_OR_FEWER,
        Band.FEWER_THAN_MINIMUM: Band.MORE_THAN_MOST,
        Band.MORE_THAN_MOST: Band.FEWER_THAN_MINIMUM,
    }.get(of, of)


def bounds(of: Band, count: int, total: int, minimum: int) -> tuple[int, int]:
    """The least and most a side can hold, for a reader who knows only its band."""
    return {
        Band.EXACT: (count, count),
        Band.FEWER_THAN_MINIMUM: (0, minimum - 1),
        Band.MORE_THAN_MOST: (total - minimum + 1, total),
        Band.BETWEEN: (minimum, total - minimum),
        Band.MORE_THAN_HALF: (total // 2 + 1, total),
        Band.HALF_OR_FEWER: (0, total // 2),
        Band.FEWER_THAN_HALF: (0, (total - 1) // 2),
        Band.AT_LEAST_HALF: ((total + 1) // 2, total),
    }[of]
