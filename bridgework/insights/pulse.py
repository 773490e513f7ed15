"""The psychological-safety pulse: five statements in Bridgework's own words, answered on a
five-point agreement scale. The idea of team psychological safety is after Edmondson (1999);
the wording here is ours."""

from __future__ import annotations

from dataclasses import dataclass

AGREEMENT_SCALE: list[tuple[int, str]] = [
    (1, "Strongly disagree"),
    (2, "Disagree"),
    (3, "Neither agree nor disagree"),
    (4, "Agree"),
    (5, "Strongly agree"),
]

ATTRIBUTION = "The idea of psychological safety in a team is after Amy Edmondson (1999)."


@dataclass(frozen=True)
class Item:
    field: str
    text: str
    short: str


ITEMS: list[Item] = [
    Item(
        "speak_up",
        "In this group I can say what I really think about a hard topic without worrying "
        "about how it will be held against me.",
        "Can say what I really think",
    ),
    Item(
        "mistakes",
        "When someone here gets something wrong, people help them learn from it rather "
        "than keep score.",
        "Mistakes are for learning",
    ),
    Item(
        "ask_for_help",
        "Asking someone in this group for help feels easy, not like admitting weakness.",
        "Asking for help is easy",
    ),
    Item(
        "different_views",
        "People here take an interest in views and experiences that differ from their own.",
        "Different views are welcome",
    ),
    Item(
        "take_risks",
        "I could try something new here, and if it went badly nobody would make me pay for it.",
        "Safe to try something new",
    ),
]

ITEM_FIELDS = [item.field for item in ITEMS]
