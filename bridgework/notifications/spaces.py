"""Who may see a space, as told by the app that owns spaces (community registers it).

A notification that belongs to a space (or a thread) reaches only people who can see it,
checked twice: once for the whole batch when it is made, and again whenever it is listed or
e-mailed. This app does not know the rule itself; it asks through these callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from bridgework.accounts.models import Person


@dataclass(frozen=True)
class SpaceRules:
    # The spaces this person may see now, as a queryset usable in `space__in`.
    visible_to: Callable[[Person], QuerySet[Any]]
    # The threads this person may see now (a withheld one only its author and facilitators).
    visible_threads: Callable[[Person], QuerySet[Any]]
    # A filter on Person for everyone who may see this space (and, given one, this thread).
    audience: Callable[[int, int | None], Q]


_rules: list[SpaceRules] = []


def register(rules: SpaceRules) -> None:
    if _rules and _rules[0] != rules:
        raise ValueError("Only one app says who may see a space.")
    _rules[:] = [rules]


def rules() -> SpaceRules:
    if not _rules:
        raise LookupError("No app has registered who may see a space.")
    return _rules[0]
