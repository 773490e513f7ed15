"""The words of the reflection pages: prompts, map dimensions, marks and practice scenarios.

Written for Bridgework in its own words. Ideas are attributed where they come from:
opening with gratitude and mapping social location after Jackson & Tran; the role-model
ally and the coffee chat after the "Leading with Purpose" discussion guide; check-in notes
after Kurtz.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

if TYPE_CHECKING:
    from django.utils.functional import _StrOrPromise


@dataclass(frozen=True)
class Prompt:
    slug: str
    text: _StrOrPromise


# Starting with gratitude settles us before harder reflection (after Jackson & Tran).
GRATITUDE_PROMPTS: list[Prompt] = [
    Prompt(
        "small-kindness", _("What small kindness came your way this week, and who was behind it?")
    ),
    Prompt(
        "someone-listened",
        _("Think of a moment when someone really listened to you. What did they do?"),
    ),
    Prompt("learned-from", _("Who taught you something recently, maybe without meaning to?")),
    Prompt("made-easier", _("Whose work made your day easier, even if nobody saw it?")),
    Prompt("felt-welcome", _("Where did you feel welcome lately? What made it feel that way?")),
    Prompt(
        "stood-up", _("Remember someone who spoke up when it would have been easier to stay quiet.")
    ),
    Prompt(
        "your-body",
        _("What is one thing your body or mind did for you today that you are glad of?"),
    ),
    Prompt("changed-view", _("Which conversation changed how you see something? Who was it with?")),
    Prompt("patience", _("Who was patient with you while you were still learning?")),
    Prompt("ordinary-thing", _("Name an ordinary thing you would miss if it were gone tomorrow.")),
]
GRATITUDE_BY_SLUG = {prompt.slug: prompt for prompt in GRATITUDE_PROMPTS}


def prompt_of_the_day(today: date) -> Prompt:
    """One prompt a day, the same for the whole day, going round the list."""
    return GRATITUDE_PROMPTS[today.toordinal() % len(GRATITUDE_PROMPTS)]


MOODS: list[tuple[str, _StrOrPromise]] = [
    ("heavy", pgettext_lazy("mood", "Heavy")),
    ("mixed", pgettext_lazy("mood", "Mixed")),
    ("steady", pgettext_lazy("mood", "Steady")),
    ("bright", pgettext_lazy("mood", "Bright")),
]
ENERGIES: list[tuple[str, _StrOrPromise]] = [
    ("low", _("Low energy")),
    ("some", _("Some energy")),
    ("plenty", _("Plenty of energy")),
]


@dataclass(frozen=True)
class Dimension:
    slug: str
    name: _StrOrPromise


# Parts of who we are that shape how much access or power we have (after Jackson & Tran).
DIMENSIONS: list[Dimension] = [
    Dimension("race", _("Race")),
    Dimension("ethnicity", _("Ethnicity")),
    Dimension("gender", _("Gender identity")),
    Dimension("sexuality", _("Sexual orientation")),
    Dimension("disability", _("Disability")),
    Dimension("age", _("Age")),
    Dimension("education", _("Education")),
    Dimension("class", _("Class")),
    Dimension("religion", _("Religion")),
    Dimension("nationality", _("Nationality")),
    Dimension("language", _("Language")),
]
CUSTOM_SLOTS = 3
CONTEXTS: list[tuple[str, _StrOrPromise]] = [
    ("overall", _("In general")),
    ("team", _("In my team")),
    ("company", _("In the company")),
    ("community", _("In my community")),
]
SCALE: list[tuple[int, _StrOrPromise]] = [
    (1, _("1 · gives me less access or power")),
    (2, "2"),
    (3, _("3 · about even")),
    (4, "4"),
    (5, _("5 · gives me more access or power")),
]


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: _StrOrPromise
    situation: _StrOrPromise


# Practice situations for a guided apology, written for Bridgework.
SCENARIOS: list[Scenario] = [
    Scenario(
        "wrong-name",
        _("The name mix-up"),
        _(
            "In a team meeting you called a colleague by the name of another person who shares "
            "their background. They went quiet and later looked upset."
        ),
    ),
    Scenario(
        "talked-over",
        _("Talking over"),
        _(
            "During a planning call you kept finishing a colleague's sentences and then presented "
            "their idea as your own summary. A teammate mentioned it to you afterwards."
        ),
    ),
    Scenario(
        "joke",
        _("The joke that landed badly"),
        _(
            "You made a joke about an accent in the group chat. One person reacted with a thumbs "
            "up; another stopped posting for the rest of the day."
        ),
    ),
    Scenario(
        "pronouns",
        _("The wrong pronoun"),
        _(
            "You used the wrong pronoun for a colleague while introducing them to a client, even "
            "though they had told you before."
        ),
    ),
    Scenario(
        "late-invite",
        _("Left off the list"),
        _(
            "You planned a team lunch at a place that is hard to reach in a wheelchair. A "
            "colleague who uses one found out from the photos."
        ),
    ),
]
SCENARIOS_BY_SLUG = {scenario.slug: scenario for scenario in SCENARIOS}

NOTE_STARTERS: dict[str, _StrOrPromise] = {
    "check_in": _("Thinking of you. How are things going for you this week?"),
    "recognition": _("I wanted you to know that you made a difference for me when…"),
}
NOTES_PER_DAY = 10
EXPORT_HOURS = 24
# Each export is offered for EXPORT_HOURS (a day), so counting the live ones counts a day's.
EXPORTS_PER_DAY = 3

# The repair feedback's words, by rule (bridgework/lib/apology.py finds the patterns, in
# English, and knows nothing of translations): shown in the reader's language.
FEEDBACK: dict[str, _StrOrPromise] = {
    "conditional": _(
        "“Sorry if…” makes the harm sound uncertain. You already know it landed: say what "
        "you did, without the “if”."
    ),
    "their_feelings": _(
        "“I'm sorry you feel…” puts the problem in the other person's feelings. Apologise "
        "for what you did instead."
    ),
    "but": _(
        "A “but” or an explanation of what you meant pulls attention to your intent. Intent "
        "matters to you; impact is what they lived. Keep the explanation for later, if they ask."
    ),
    "centring": _(
        "This part is about you. Your feelings are real, and a friend or journal is a good "
        "place for them; in the apology, keep the focus on the person you affected."
    ),
    "minimising": _(
        "Words like “just a joke” or “no big deal” shrink the harm. Let the other person "
        "decide how big it was."
    ),
    "passive": _(
        "“Mistakes were made” hides who made them. Say “I” — owning it is what makes an "
        "apology believable."
    ),
    "forgiveness": _(
        "Asking to be forgiven, or to move on, puts pressure on them. Offer the apology and "
        "leave the timing to them."
    ),
}
MISSING_FEEDBACK: dict[str, _StrOrPromise] = {
    "acknowledge": _("Name the harm in a sentence: what you did and how it affected them."),
    "do_differently": _(
        "Say one concrete thing you will do differently. It shows the apology has a future, "
        "not just a past."
    ),
}
