"""Small-cell suppression for aggregate tables. Pure Python, no Django.

Three rules, applied in this order:

1. Threshold: a cell about fewer than `minimum` people is hidden (a cell about nobody, 0,
   may be shown: it says nothing about anyone).
2. Differencing between views: when one view's population lies inside another's (a cohort
   inside its organisation, a shorter period inside a longer one) and the two counts for the
   same cell differ by 1 to minimum-1 people, the difference would describe that handful of
   people, so the smaller view's cell is hidden. The same goes for an organisation's figure
   minus the figures of cohorts that do not overlap.
3. Complementary suppression: in a breakdown whose values add up to a total that is shown
   (a margin), one hidden cell could be worked out by subtraction. So whenever a breakdown
   hides anything, further cells are hidden, smallest first, until at least two are hidden
   and at least one hidden cell is itself about `minimum` people or more — the hidden cells
   then only ever add up to a group large enough to show.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import TypeVar

DEFAULT_MIN_CELL = 5
LOWEST_MIN_CELL = 3
FREE_TEXT_MIN_CELL = 10

K = TypeVar("K", bound=Hashable)
V = TypeVar("V", bound=Hashable)


def checked_threshold(minimum: int) -> int:
    if minimum < LOWEST_MIN_CELL:
        raise ValueError(f"the smallest group shown can never be below {LOWEST_MIN_CELL}")
    return minimum


def too_small(people: int, minimum: int) -> bool:
    """A cell about 1 to minimum-1 people."""
    return 0 < people < minimum


def differs_by_a_few(smaller: int, larger: int, minimum: int) -> bool:
    """Two nested views whose difference would describe 1 to minimum-1 people."""
    return 0 < larger - smaller < minimum


def threshold[K: Hashable](people: Mapping[K, int], minimum: int) -> set[K]:
    return {key for key, count in people.items() if too_small(count, minimum)}


def complement[K: Hashable](people: Mapping[K, int], hidden: Iterable[K], minimum: int) -> set[K]:
    """The cells to hide in one breakdown with a shown total, given those already hidden."""
    result = set(hidden) & set(people)
    if not result:
        return result
    shown = sorted((k for k in people if k not in result), key=lambda k: (people[k], str(k)))

    def safe() -> bool:
        return len(result) >= 2 and max(people[k] for k in result) >= minimum

    while shown and not safe():
        result.add(shown.pop(0))
    return result


def suppress_breakdown[K: Hashable](
    people: Mapping[K, int], minimum: int, hidden: Iterable[K] = ()
) -> set[K]:
    """Threshold then complementary suppression for one breakdown with a shown margin."""
    return complement(people, threshold(people, minimum) | set(hidden), minimum)


def nested_differences[V: Hashable](
    people: Mapping[V, int], containers: Callable[[V], Iterable[V]], minimum: int
) -> set[V]:
    """Views to hide so that no two shown nested views differ by 1 to minimum-1 people.

    `people` gives the count behind one cell in each view; `containers(view)` names the
    views whose population holds that view's population. In each pair that differs by a
    few, the inner view is hidden. Hiding only removes cells, so a pair that is fine stays so.
    """
    hidden: set[V] = set()
    for small, count in people.items():
        for large in containers(small):
            if large in people and differs_by_a_few(count, people[large], minimum):
                hidden.add(small)
                break
    return hidden


def remainder_hides[K: Hashable](
    whole: int, parts: Mapping[K, int], hidden: Iterable[K], minimum: int
) -> set[K]:
    """When non-overlapping parts (cohorts) lie inside a whole (the organisation), the whole
    minus the shown parts must not describe 1 to minimum-1 people: hide parts, smallest first,
    until it does not. Overlapping parts (their counts add up to more than the whole) are left
    alone: their remainder cannot be worked out by subtraction."""
    result = set(hidden)
    if sum(parts.values()) > whole:
        return result
    shown = sorted((k for k in parts if k not in result), key=lambda k: (parts[k], str(k)))
    while shown and too_small(whole - sum(parts[k] for k in shown), minimum):
        result.add(shown.pop(0))
    return result
