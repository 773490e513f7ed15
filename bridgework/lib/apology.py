"""Gentle feedback on an apology draft, from a few clear rules. Django only translates the
feedback (the rules read English drafts).

The steps of a repair follow Jackson & Tran: acknowledge the harm, own the impact, commit to
doing better, and let the conversation go on. Each rule looks for a common pitfall and says
why it matters, so the person learns the pattern rather than obeying a checker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The parts of the guided apology, in order, with the key each rule refers to.
PARTS = ("what_happened", "acknowledge", "own_impact", "do_differently", "resume")


@dataclass(frozen=True)
class Finding:
    rule: str
    part: str  # which part of the draft, or "" for the whole draft
    quote: str  # the words that matched, as the person wrote them ("" for a missing part)
    message: StrOrPromise  # in the language of the page that shows it


@dataclass(frozen=True)
class _Rule:
    slug: str
    pattern: re.Pattern[str]
    message: StrOrPromise
    parts: tuple[str, ...] = ("acknowledge", "own_impact", "do_differently", "resume")


def _words(*phrases: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.IGNORECASE)


_APOSTROPHE = "['\u2019]"
RULES: list[_Rule] = [
    _Rule(
        "conditional",
        _words(
            r"sorry if",
            r"sorry,? if",
            r"apologi[sz]e if",
            r"sorry in case",
            r"if (?:I|anyone|you) (?:was|were|got|felt) (?:offended|hurt|upset)",
        ),
        gettext_lazy(
            "“Sorry if…” makes the harm sound uncertain. You already know it landed: say what "
            "you did, without the “if”."
        ),
    ),
    _Rule(
        "their_feelings",
        _words(
            r"sorry (?:that )?you feel",
            r"sorry (?:that )?you (?:were|got|are) (?:offended|upset|hurt)",
            r"sorry (?:that )?you took it",
            rf"sorry you{_APOSTROPHE}re (?:offended|upset|hurt)",
        ),
        gettext_lazy(
            "“I'm sorry you feel…” puts the problem in the other person's feelings. Apologise "
            "for what you did instead."
        ),
    ),
    _Rule(
        "but",
        _words(
            r"but I meant",
            r"but I was",
            rf"but I{_APOSTROPHE}m",
            r"but I just",
            rf"I didn{_APOSTROPHE}t mean",
            r"I did not mean",
            r"my intention was",
            r"I meant well",
            r"I was only trying",
        ),
        gettext_lazy(
            "A “but” or an explanation of what you meant pulls attention to your intent. "
            "Intent matters to you; impact is what they lived. Keep the explanation for later, "
            "if they ask."
        ),
    ),
    _Rule(
        "centring",
        _words(
            r"I feel (?:so |really )?(?:terrible|awful|bad|horrible|guilty)",
            rf"I{_APOSTROPHE}m a good person",
            rf"I{_APOSTROPHE}m not (?:a )?(?:racist|sexist|homophobic|transphobic|ableist)",
            rf"that{_APOSTROPHE}s not who I am",
            r"you know me",
            r"as someone who",
        ),
        gettext_lazy(
            "This part is about you. Your feelings are real, and a friend or journal is a good "
            "place for them; in the apology, keep the focus on the person you affected."
        ),
    ),
    _Rule(
        "minimising",
        _words(
            r"just a joke",
            r"only joking",
            r"no big deal",
            r"not a big deal",
            r"overreact\w*",
            r"too sensitive",
            r"it was nothing",
            r"a little thing",
        ),
        gettext_lazy(
            "Words like “just a joke” or “no big deal” shrink the harm. Let the other person "
            "decide how big it was."
        ),
    ),
    _Rule(
        "passive",
        _words(r"mistakes were made", r"things were said", r"it was said", r"harm was done"),
        gettext_lazy(
            "“Mistakes were made” hides who made them. Say “I” — owning it is what makes an "
            "apology believable."
        ),
    ),
    _Rule(
        "forgiveness",
        _words(
            r"forgive me", r"please forgive", r"can we move on", r"let(?:'s|\u2019s| us) move on"
        ),
        gettext_lazy(
            "Asking to be forgiven, or to move on, puts pressure on them. Offer the apology and "
            "leave the timing to them."
        ),
        parts=("acknowledge", "own_impact", "do_differently", "resume"),
    ),
]

MISSING: dict[str, StrOrPromise] = {
    "acknowledge": gettext_lazy(
        "Name the harm in a sentence: what you did and how it affected them."
    ),
    "do_differently": gettext_lazy(
        "Say one concrete thing you will do differently. It shows the apology "
        "has a future, not just a past."
    ),
}


def review(draft: dict[str, str]) -> list[Finding]:
    """Every pitfall found in the draft, in the order of the parts, then the missing parts."""
    findings: list[Finding] = []
    for part in PARTS:
        text = draft.get(part) or ""
        for rule in RULES:
            if part not in rule.parts:
                continue
            match = rule.pattern.search(text)
            if match:
                findings.append(Finding(rule.slug, part, match.group(0), rule.message))
    if any((draft.get(part) or "").strip() for part in PARTS):
        for part, message in MISSING.items():
            if not (draft.get(part) or "").strip():
                findings.append(Finding("missing", part, "", message))
    return findings
