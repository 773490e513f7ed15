"""The psychological-safety pulse: five statements in Bridgework's own words, answered on a
five-point agreement scale. The idea of team psychological safety is after Edmondson (1999);
the wording here is ours."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

AGREEMENT_SCALE: list[tuple[int, str | Promise]] = [
    (1, gettext_lazy("Strongly disagree")),
    (2, gettext_lazy("Disagree")),
    (3, gettext_lazy("Neither agree nor disagree")),
    (4, gettext_lazy("Agree")),
    (5, gettext_lazy("Strongly agree")),
]

ATTRIBUTION = gettext_lazy(
    "The idea of psychological safety in a team is after Amy Edmondson (1999)."
)


@dataclass(frozen=True)
class Item:
    field: str
    text: str | Promise
    short: str | Promise


ITEMS: list[Item] = [
    Item(
        "speak_up",
        gettext_lazy(
            "In this group I can say what I really think about a hard topic without worrying "
            "about how it will be held against me."
        ),
        gettext_lazy("Can say what I really think"),
    ),
    Item(
        "mistakes",
        gettext_lazy(
            "When someone here gets something wrong, people help them learn from it rather "
            "than keep score."
        ),
        gettext_lazy("Mistakes are for learning"),
    ),
    Item(
        "ask_for_help",
        gettext_lazy(
            "Asking someone in this group for help feels easy, not like admitting weakness."
        ),
        gettext_lazy("Asking for help is easy"),
    ),
    Item(
        "different_views",
        gettext_lazy(
            "People here take an interest in views and experiences that differ from their own."
        ),
        gettext_lazy("Different views are welcome"),
    ),
    Item(
        "take_risks",
        gettext_lazy(
            "I could try something new here, and if it went badly nobody would make me pay for it."
        ),
        gettext_lazy("Safe to try something new"),
    ),
]

ITEM_FIELDS = [item.field for item in ITEMS]
