"""Ranked tip search that behaves the same on SQLite and PostgreSQL.

One query narrows to tips containing any search word; ranking happens here, in Python,
over that small candidate set (an organisation has hundreds of tips, not millions).
Title matches weigh most, then tags, then the text; tips matching every word come first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from .models import Tip
from .vocabulary import Context, Defense, Practice

STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "i",
        "in",
        "is",
        "it",
        "me",
        "my",
        "of",
        "on",
        "or",
        "so",
        "the",
        "this",
        "to",
        "we",
        "what",
        "when",
        "with",
        "you",
        "your",
    ]
)
WORD = re.compile(r"[a-z0-9]+(?:['-][a-z0-9]+)*")


def stem(word: str) -> str:
    """A deliberately small English stemmer: meetings → meeting, asking → ask."""
    for suffix in ("ings", "ing", "ies", "ches", "shes", "sses", "xes", "s", "ed"):
        if suffix == "s" and word.endswith("ss"):
            continue
        shortest = 1 if suffix in ("ches", "shes", "sses", "xes") else 3
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            base = word[: -len(suffix)]
            if suffix == "ies":
                return base + "y"
            # "es" after ch, sh, ss or x is part of the plural ("approaches"); keep the stem.
            return base + suffix[:-2] if suffix in ("ches", "shes", "sses", "xes") else base
    return word


def spellings(term: str) -> list[str]:
    """What a stemmed term matches as a word prefix: story also finds stories."""
    if term.endswith("y") and len(term) > 3:
        return [term, term[:-1] + "ies"]
    return [term]


def terms(query: str) -> list[str]:
    words = WORD.findall(query.lower())
    return list(dict.fromkeys(stem(w) for w in words if w not in STOP_WORDS and len(w) > 1))


@dataclass
class Ranked:
    tip: Tip
    score: float
    matched: int


# Built once: the labels a tip's tags are searched by.
PRACTICE_LABELS = {value: str(label) for value, label in Practice.choices}
DEFENSE_LABELS = {value: str(label) for value, label in Defense.choices}
CONTEXT_LABELS = {value: str(label) for value, label in Context.choices}


def _tag_text(tip: Tip) -> str:
    labels = [
        PRACTICE_LABELS.get(tip.practice, ""),
        DEFENSE_LABELS.get(tip.defense, ""),
        *[CONTEXT_LABELS.get(c, c) for c in tip.context_list],
    ]
    return " ".join(labels).lower()


def _pattern(term: str) -> re.Pattern[str]:
    """One compiled pattern per search word: any of its spellings at the start of a word."""
    return re.compile(r"\b(?:" + "|".join(re.escape(form) for form in spellings(term)) + ")")


def _hits(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def rank(tips: QuerySet[Tip], query: str) -> list[Tip]:
    words = terms(query)
    if not words:
        return list(tips)
    match = reduce(
        or_,
        (
            Q(title__icontains=w)
            | Q(text__icontains=w)
            | Q(contexts__icontains=w)
            | Q(practice__icontains=w)
            | Q(defense__icontains=w)
            for term in words
            for w in spellings(term)
        ),
    )
    patterns = [_pattern(word) for word in words]
    ranked = []
    for tip in tips.filter(match):
        title, text, tags = tip.title.lower(), tip.text.lower(), _tag_text(tip)
        score, matched = 0.0, 0
        for pattern in patterns:
            in_title = _hits(pattern, title)
            in_tags = _hits(pattern, tags)
            in_text = _hits(pattern, text)
            if in_title or in_tags or in_text:
                matched += 1
            score += 3 * min(in_title, 2) + 2 * min(in_tags, 1) + min(in_text, 3)
        if matched:
            score += 5 * (matched == len(words))
            ranked.append(Ranked(tip, score, matched))
    # More of the words first, so a tip matching every word beats a strong match on one.
    ranked.sort(key=lambda r: (-r.matched, -r.score, r.tip.courage, r.tip.effort, r.tip.title))
    return [r.tip for r in ranked]
