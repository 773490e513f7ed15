"""The words of the reflection pages: prompts, map dimensions, marks and practice scenarios.

Written for Bridgework in its own words. Ideas are attributed where they come from:
opening with gratitude and mapping social location after Jackson & Tran; the role-model
ally and the coffee chat after the "Leading with Purpose" discussion guide; check-in notes
after Kurtz.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Prompt:
    slug: str
    text: str


# Starting with gratitude settles us before harder reflection (after Jackson & Tran).
GRATITUDE_PROMPTS: list[Prompt] = [
    Prompt("small-kindness", "What small kindness came your way this week, and who was behind it?"),
    Prompt(
        "someone-listened",
        "Think of a moment when someone really listened to you. What did they do?",
    ),
    Prompt("learned-from", "Who taught you something recently, maybe without meaning to?"),
    Prompt("made-easier", "Whose work made your day easier, even if nobody saw it?"),
    Prompt("felt-welcome", "Where did you feel welcome lately? What made it feel that way?"),
    Prompt(
        "stood-up", "Remember someone who spoke up when it would have been easier to stay quiet."
    ),
    Prompt(
        "your-body", "What is one thing your body or mind did for you today that you are glad of?"
    ),
    Prompt("changed-view", "Which conversation changed how you see something? Who was it with?"),
    Prompt("patience", "Who was patient with you while you were still learning?"),
    Prompt("ordinary-thing", "Name an ordinary thing you would miss if it were gone tomorrow."),
]
GRATITUDE_BY_SLUG = {prompt.slug: prompt for prompt in GRATITUDE_PROMPTS}


def prompt_of_the_day(today: date) -> Prompt:
    """One prompt a day, the same for the whole day, going round the list."""
    return GRATITUDE_PROMPTS[today.toordinal() % len(GRATITUDE_PROMPTS)]


MOODS = [("heavy", "Heavy"), ("mixed", "Mixed"), ("steady", "Steady"), ("bright", "Bright")]
ENERGIES = [("low", "Low energy"), ("some", "Some energy"), ("plenty", "Plenty of energy")]


@dataclass(frozen=True)
class Dimension:
    slug: str
    name: str


# Parts of who we are that shape how much access or power we have (after Jackson & Tran).
DIMENSIONS: list[Dimension] = [
    Dimension("race", "Race"),
    Dimension("ethnicity", "Ethnicity"),
    Dimension("gender", "Gender identity"),
    Dimension("sexuality", "Sexual orientation"),
    Dimension("disability", "Disability"),
    Dimension("age", "Age"),
    Dimension("education", "Education"),
    Dimension("class", "Class"),
    Dimension("religion", "Religion"),
    Dimension("nationality", "Nationality"),
    Dimension("language", "Language"),
]
CUSTOM_SLOTS = 3
CONTEXTS = [
    ("overall", "In general"),
    ("team", "In my team"),
    ("company", "In the company"),
    ("community", "In my community"),
]
SCALE = [
    (1, "1 · gives me less access or power"),
    (2, "2"),
    (3, "3 · about even"),
    (4, "4"),
    (5, "5 · gives me more access or power"),
]


@dataclass(frozen=True)
class Scenario:
    slug: str
    title: str
    situation: str


# Practice situations for a guided apology, written for Bridgework.
SCENARIOS: list[Scenario] = [
    Scenario(
        "wrong-name",
        "The name mix-up",
        "In a team meeting you called a colleague by the name of another person who shares "
        "their background. They went quiet and later looked upset.",
    ),
    Scenario(
        "talked-over",
        "Talking over",
        "During a planning call you kept finishing a colleague's sentences and then presented "
        "their idea as your own summary. A teammate mentioned it to you afterwards.",
    ),
    Scenario(
        "joke",
        "The joke that landed badly",
        "You made a joke about an accent in the group chat. One person reacted with a thumbs "
        "up; another stopped posting for the rest of the day.",
    ),
    Scenario(
        "pronouns",
        "The wrong pronoun",
        "You used the wrong pronoun for a colleague while introducing them to a client, even "
        "though they had told you before.",
    ),
    Scenario(
        "late-invite",
        "Left off the list",
        "You planned a team lunch at a place that is hard to reach in a wheelchair. A "
        "colleague who uses one found out from the photos.",
    ),
]
SCENARIOS_BY_SLUG = {scenario.slug: scenario for scenario in SCENARIOS}

NOTE_STARTERS = {
    "check_in": "Thinking of you. How are things going for you this week?",
    "recognition": "I wanted you to know that you made a difference for me when…",
}
NOTES_PER_DAY = 10
EXPORT_HOURS = 24
# Each export is offered for EXPORT_HOURS (a day), so counting the live ones counts a day's.
EXPORTS_PER_DAY = 3
