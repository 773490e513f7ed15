"""The self-assessment content: complete, consistent, kind, and its two helpers correct."""

import re
from collections.abc import Iterator

import pytest
from django.utils import translation

from bridgework.practice.assessment import (
    CAPACITY_LEVELS,
    DEFENSES,
    FREQUENCY_SCALE,
    INTRO,
    ITEMS,
    PRACTICES,
    RETAKE_NOTE,
    practice_scores,
    weakest_practice,
)

PRACTICE_SLUGS = [
    "deep-curiosity",
    "honest-introspection",
    "humble-acknowledgement",
    "empathetic-engagement",
    "authentic-conversations",
    "vulnerable-interactions",
    "courageous-responsibilities",
]
DEFENSE_SLUGS = ["self-preservation", "self-consciousness", "other-consciousness", "paralysis"]
PLAN_KEYS = {"serves_me", "costs", "small_step", "when", "with_whom"}
FORBIDDEN = ("score", "bias", "racist", "rank")


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The texts are marked for translation: these checks read the English."""
    with translation.override("en"):
        yield


KEBAB = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def all_texts() -> list[str]:
    """Every piece of text a person can read, plus the item keys."""
    texts = [label for _, label in FREQUENCY_SCALE]
    for item in ITEMS:
        texts += [item.key, item.text]
    for practice in PRACTICES:
        texts += [practice.name, practice.short, practice.growth_tip]
    for defense in DEFENSES:
        texts += [defense.name, defense.sounds_like, defense.protects, defense.way_through]
        texts += list(defense.plan_prompts.values())
    for _, label, message in CAPACITY_LEVELS:
        texts += [label, message]
    texts += [INTRO, RETAKE_NOTE]
    return [str(text) for text in texts]


def item_keys(practice: str) -> list[str]:
    return [item.key for item in ITEMS if item.practice == practice]


def test_frequency_scale_is_0_to_4_with_five_labels() -> None:
    assert [value for value, _ in FREQUENCY_SCALE] == [0, 1, 2, 3, 4]
    labels = [label for _, label in FREQUENCY_SCALE]
    assert all(label.strip() for label in labels)
    assert len(set(labels)) == 5


def test_items_are_21_unique_kebab_keys_three_per_practice() -> None:
    keys = [item.key for item in ITEMS]
    assert len(keys) == 21
    assert len(set(keys)) == 21
    assert all(KEBAB.match(key) for key in keys)
    for slug in PRACTICE_SLUGS:
        assert len(item_keys(slug)) == 3, slug
    assert {item.practice for item in ITEMS} == set(PRACTICE_SLUGS)


def test_items_ask_about_last_month() -> None:
    for item in ITEMS:
        assert item.text.startswith("In the last month, how often did you "), item.key
        assert item.text.endswith("?"), item.key


def test_practices_are_the_seven_in_order_and_complete() -> None:
    assert [practice.slug for practice in PRACTICES] == PRACTICE_SLUGS
    for practice in PRACTICES:
        assert practice.name.strip()
        assert practice.short.strip()
        assert practice.growth_tip.strip()


def test_defenses_are_the_four_and_complete() -> None:
    assert [defense.slug for defense in DEFENSES] == DEFENSE_SLUGS
    for defense in DEFENSES:
        assert defense.name.strip()
        assert defense.sounds_like.startswith('"') and defense.sounds_like.endswith('"')
        assert defense.protects.strip()
        assert defense.way_through.strip()
        assert set(defense.plan_prompts) == PLAN_KEYS, defense.slug
        for prompt in defense.plan_prompts.values():
            assert prompt.strip().endswith("?"), prompt


def test_capacity_levels() -> None:
    assert [level for level, _, _ in CAPACITY_LEVELS] == ["full", "some", "low"]
    for _, label, message in CAPACITY_LEVELS:
        assert label.strip()
        assert message.strip()
    low_message = CAPACITY_LEVELS[2][2].lower()
    assert "pause" in low_message
    assert "light" in low_message


def test_intro_and_retake_note() -> None:
    assert INTRO.strip()
    assert "four minutes" in INTRO
    assert RETAKE_NOTE.strip()
    assert "month" in RETAKE_NOTE


@pytest.mark.parametrize("word", FORBIDDEN)
def test_no_text_judges_the_person(word: str) -> None:
    offending = [text for text in all_texts() if word in text.lower()]
    assert offending == []


def test_practice_scores_full_answers() -> None:
    answers = {item.key: 2 for item in ITEMS}
    curiosity = item_keys("deep-curiosity")
    answers[curiosity[0]] = 0
    answers[curiosity[1]] = 1
    answers[curiosity[2]] = 4
    result = practice_scores(answers)
    assert list(result) == PRACTICE_SLUGS
    assert result["deep-curiosity"] == pytest.approx(5 / 3)
    assert result["honest-introspection"] == 2.0


def test_practice_scores_partial_answers_leave_out_unanswered_practices() -> None:
    empathy = item_keys("empathetic-engagement")
    courage = item_keys("courageous-responsibilities")
    answers = {empathy[0]: 3, empathy[2]: 0, courage[1]: 4, "retired-item": 1}
    assert practice_scores(answers) == {
        "empathetic-engagement": 1.5,
        "courageous-responsibilities": 4.0,
    }


def test_practice_scores_empty_and_out_of_range() -> None:
    assert practice_scores({}) == {}
    key = ITEMS[0].key
    with pytest.raises(ValueError):
        practice_scores({key: 5})
    with pytest.raises(ValueError):
        practice_scores({key: -1})


def test_weakest_practice() -> None:
    assert weakest_practice({}) is None
    assert weakest_practice({"deep-curiosity": 3.0, "paralysis-not-a-practice": 4.0}) == (
        "deep-curiosity"
    )
    assert (
        weakest_practice(
            {"deep-curiosity": 2.0, "vulnerable-interactions": 0.5, "honest-introspection": 1.0}
        )
        == "vulnerable-interactions"
    )


def test_weakest_practice_ties_follow_practice_order() -> None:
    # Inserted in reverse order, so the dict order must not decide the tie.
    tied = {
        "courageous-responsibilities": 1.0,
        "authentic-conversations": 1.0,
        "humble-acknowledgement": 1.0,
        "deep-curiosity": 3.0,
    }
    assert weakest_practice(tied) == "humble-acknowledgement"


def test_helpers_work_together() -> None:
    answers = {item.key: 3 for item in ITEMS}
    for key in item_keys("vulnerable-interactions"):
        answers[key] = 1
    for key in item_keys("honest-introspection"):
        answers[key] = 1
    assert weakest_practice(practice_scores(answers)) == "honest-introspection"
