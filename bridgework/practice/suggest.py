""" "Pick one thing for me": one tip fitted to the person.

Rules, in order: only tips at or below the person's unlocked courage level; lighter tips
when the tank is low; never the tip shown just before, nor one committed to recently; then
prefer the weakest practice from the latest self-assessment, the chosen defense, and a small
stretch to the unlocked level. Ties are broken at random, so "show me another" varies.
"""

from __future__ import annotations

import random
from collections.abc import Collection
from dataclasses import dataclass

from bridgework.curriculum.api import Tip

from .models import Capacity

MAX_EFFORT = {Capacity.FULL: 60, Capacity.SOME: 15, Capacity.LOW: 5}
MAX_COURAGE_WHEN_LOW = 2


@dataclass(frozen=True)
class Preferences:
    level: int
    capacity: str
    weakest_practice: str | None
    defense: str | None
    avoid: Collection[int]  # tip ids: shown just before, or committed to recently


def candidates(tips: list[Tip], prefs: Preferences) -> list[Tip]:
    max_courage = prefs.level
    if prefs.capacity == Capacity.LOW:
        max_courage = min(max_courage, MAX_COURAGE_WHEN_LOW)
    max_effort = MAX_EFFORT.get(Capacity(prefs.capacity), 15)
    return [
        tip
        for tip in tips
        if tip.courage <= max_courage and tip.effort <= max_effort and tip.pk not in prefs.avoid
    ]


def fit(tip: Tip, prefs: Preferences) -> int:
    # Weights 4, 2, 1 keep the preferences in order: the weakest practice outranks the
    # defense and the level stretch together.
    points = 0
    if prefs.weakest_practice and tip.practice == prefs.weakest_practice:
        points += 4
    if prefs.defense and tip.defense == prefs.defense:
        points += 2
    if tip.courage == prefs.level and prefs.capacity != Capacity.LOW:
        points += 1
    return points


def pick(tips: list[Tip], prefs: Preferences, *, rng: random.Random | None = None) -> Tip | None:
    """The best-fitting tip, or None when nothing fits (the page then offers a pause)."""
    pool = candidates(tips, prefs)
    if not pool:
        return None
    best = max(fit(tip, prefs) for tip in pool)
    top = [tip for tip in pool if fit(tip, prefs) == best]
    return (rng or random.Random()).choice(top)
