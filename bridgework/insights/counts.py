"""What a release counts: each measure declared once.

A `Measure` is one vector of numbers per group (the organisation or a cohort) and month: one
entry per key of its breakdown. Its `bound` is the most one person can change that vector,
as an L2 norm, once their contribution is capped (`cap`); the mechanism calibrates its noise
to it (mechanism.py), and the page hides a figure whose `people` measure (the noisy count of
the distinct people behind it) is under the threshold. Adding a counted thing is one
declaration here plus, if it reads a new table, one line in `releases.PersonMonth.load`.

Pure Python: no Django.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bridgework.curriculum.api import Courage, Practice

# How many of one person's things count in one month (the rest are left out, the most
# frequent kind first, so that capping depends on that person's rows only).
COMMITMENT_CAP = 5
CHECK_IN_CAP = 8
LESSON_CAP = 8
ATTENDANCE_CAP = 4
# Anonymous answers carry no person: these bound what one person can answer in a month in
# one group (a session pulse each session, a safety pulse each pulse). They are held when
# answering (cohorts' FEEDBACK_PER_MONTH, services.answer_pulse); releases.py checks them
# again and leaves the measure out of a month where rows written around the app break them.
FEEDBACK_CAP = 8
SAFETY_CAP = 2
RETENTION_MONTHS = 12

PRACTICE_KEYS: tuple[str, ...] = tuple(str(p.value) for p in Practice)
COURAGE_KEYS: tuple[str, ...] = tuple(f"courage-{c.value}" for c in Courage)
# A commitment or check-in counts in its practice, its courage level and the total (the total
# is a measure of its own, "<name>_total", with a larger share of the budget: it is the
# figure people read first).
BREAKDOWN_KEYS: tuple[str, ...] = (*PRACTICE_KEYS, *COURAGE_KEYS)
FOLLOW_KEYS: tuple[str, ...] = (*BREAKDOWN_KEYS, "all")
MONTH_KEYS: tuple[str, ...] = tuple(str(k) for k in range(RETENTION_MONTHS))
ALL: tuple[str, ...] = ("all",)
SAFETY_KEYS: tuple[str, ...] = (
    "speak_up",
    "mistakes",
    "ask_for_help",
    "different_views",
    "take_risks",
)


@dataclass(frozen=True)
class Measure:
    name: str
    keys: tuple[str, ...]
    # The largest L2 change one person can make to the whole vector.
    bound: float
    # The measure counting the distinct people behind each key (itself for people counts).
    people: str
    # A share of the month's budget, relative to the other measures.
    weight: float = 1.0
    # People counts whose monthly sums still count each person once (retention: a person
    # reaches "month k after joining" in one month only).
    distinct_over_months: bool = False


def _indicators(keys: int) -> float:
    """The bound of a vector of 0/1 entries, one person in at most `keys` of them."""
    return math.sqrt(keys)


def _capped(cap: int, breakdowns: int) -> float:
    """The bound when one person's capped total appears in `breakdowns` breakdowns (a check-in
    is in its practice, its courage level and the total)."""
    return cap * math.sqrt(breakdowns)


MEASURES: tuple[Measure, ...] = (
    # Who is in the group, and who did anything (a commitment, check-in, lesson or session).
    Measure("enrolled", ALL, 1.0, "enrolled", weight=3),
    Measure("active", ALL, 1.0, "active", weight=3),
    # Retention: people in their k-th month after joining, and how many of them were active.
    Measure("reached", MONTH_KEYS, 1.0, "reached", weight=2, distinct_over_months=True),
    Measure("retained", MONTH_KEYS, 1.0, "retained", weight=2, distinct_over_months=True),
    Measure("lesson_people", ALL, 1.0, "lesson_people"),
    Measure("lessons", ALL, float(LESSON_CAP), "lesson_people"),
    Measure("attended_people", ALL, 1.0, "attended_people"),
    Measure("attended", ALL, float(ATTENDANCE_CAP), "attended_people"),
    # Follow-through: by practice, courage level and in total.
    Measure("commit_people", FOLLOW_KEYS, _indicators(len(FOLLOW_KEYS)), "commit_people"),
    Measure("commitments", BREAKDOWN_KEYS, _capped(COMMITMENT_CAP, 2), "commit_people"),
    Measure("commitments_total", ALL, float(COMMITMENT_CAP), "commit_people", weight=2),
    Measure("checkin_people", FOLLOW_KEYS, _indicators(len(FOLLOW_KEYS)), "checkin_people"),
    Measure("check_ins", BREAKDOWN_KEYS, _capped(CHECK_IN_CAP, 2), "checkin_people"),
    Measure("check_ins_total", ALL, float(CHECK_IN_CAP), "checkin_people", weight=7),
    Measure("kept_people", FOLLOW_KEYS, _indicators(len(FOLLOW_KEYS)), "kept_people"),
    Measure("kept", BREAKDOWN_KEYS, _capped(CHECK_IN_CAP, 2), "kept_people"),
    Measure("kept_total", ALL, float(CHECK_IN_CAP), "kept_people", weight=7),
    # Growth: per practice, people with a baseline and a later self-rating this month, the
    # sum of their changes (each within -4..4), of the squared changes and of the baselines.
    Measure("growth_people", PRACTICE_KEYS, _indicators(len(PRACTICE_KEYS)), "growth_people"),
    Measure("growth_change", PRACTICE_KEYS, 4 * _indicators(7), "growth_people"),
    Measure("growth_squares", PRACTICE_KEYS, 16 * _indicators(7), "growth_people"),
    Measure("growth_baseline", PRACTICE_KEYS, 4 * _indicators(7), "growth_people"),
    # Session feedback from pulses that closed this month: people who answered (from the
    # record of who answered), answers, the sums of "useful" and "safe" (1-5), answers
    # rating the session useful (4-5).
    Measure("feedback_people", ALL, 1.0, "feedback_people"),
    Measure("feedback_answers", ALL, float(FEEDBACK_CAP), "feedback_people"),
    Measure("feedback_useful", ALL, 5.0 * FEEDBACK_CAP, "feedback_people"),
    Measure("feedback_safe", ALL, 5.0 * FEEDBACK_CAP, "feedback_people"),
    Measure("feedback_good", ALL, float(FEEDBACK_CAP), "feedback_people"),
    # Safety pulses that closed this month: people who answered, the sum of each
    # statement's ratings (1-5) and how many agreed (4-5).
    Measure("safety_people", ALL, 1.0, "safety_people"),
    Measure("safety_sum", SAFETY_KEYS, 5.0 * SAFETY_CAP * _indicators(5), "safety_people"),
    Measure("safety_agree", SAFETY_KEYS, SAFETY_CAP * _indicators(5), "safety_people"),
)

BY_NAME: dict[str, Measure] = {m.name: m for m in MEASURES}
TOTAL_WEIGHT = math.fsum(m.weight for m in MEASURES)
ANONYMOUS = frozenset(
    {"feedback_answers", "feedback_useful", "feedback_safe", "feedback_good"}
    | {"safety_sum", "safety_agree"}
)


def follow_measure(name: str, key: str) -> str:
    """The measure holding a follow-through figure: the total has one of its own."""
    return f"{name}_total" if key == "all" else name


def rho_for(measure: Measure, group_rho: float) -> float:
    """A measure's share of what one group's figures may spend."""
    return group_rho * measure.weight / TOTAL_WEIGHT
