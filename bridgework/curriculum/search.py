"""Ranked tip search that behaves the same on SQLite and PostgreSQL.

One query narrows to tips containing any search word; ranking happens here, in Python,
over that small candidate set (an organisation has hundreds of tips, not millions).
Title matches weigh most, then tags, then the text; tips matching every word come first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.utils import translation

from .models import Tip
from .vocabulary import Context, Defense, Practice

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

Choices = Sequence[tuple[str, "StrOrPromise"]]

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
# Letters of any alphabet ("decisión", "réunion"), digits, and inner apostrophes or hyphens.
WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


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


def _labels(choices: Choices) -> dict[str, str]:
    return {value: str(label).lower() for value, label in choices}


@lru_cache(maxsize=1)
def _english_labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    with translation.override("en"):
        return _labels(Practice.choices), _labels(Defense.choices), _labels(Context.choices)


def tag_labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The words a tip's tags are searched by: their English labels and, when the page is
    in another language, that language's labels too, so "reuniones" finds meetings."""
    english = _english_labels()
    if (translation.get_language() or "en").startswith("en"):
        return english
    practices, defenses, contexts = english

    def both(english_labels: dict[str, str], choices: Choices) -> dict[str, str]:
        return {
            value: f"{english_labels[value]} {label}" for value, label in _labels(choices).items()
        }

    return (
        both(practices, Practice.choices),
        both(defenses, Defense.choices),
        both(contexts, Context.choices),
    )


def _tag_text(tip: Tip, labels: tuple[dict[str, str], dict[str, str], dict[str, str]]) -> str:
    practices, defenses, contexts = labels
    words = [
        practices.get(tip.practice, ""),
        defenses.get(tip.defense, ""),
        *[contexts.get(c, c) for c in tip.context_list],
    ]
    return " ".join(words)


def _tagged(word: str, labels: tuple[dict[str, str], dict[str, str], dict[str, str]]) -> Q:
    """Tips whose practice, defense or a context is labelled with the word."""
    practices, defenses, contexts = labels
    found = Q(practice__in=[v for v, label in practices.items() if word in label])
    found |= Q(defense__in=[v for v, label in defenses.items() if word in label])
    for value, label in contexts.items():
        if word in label:
            found |= Q(contexts__contains=f",{value},")
    return found


def _pattern(term: str) -> re.Pattern[str]:
    """One compiled pattern per search word: any of its spellings at the start of a word."""
    return re.compile(r"\b(?:" + "|".join(re.escape(form) for form in spellings(term)) + ")")


def _hits(pattern: re.Pattern[str], text: str) -> int:
    return sum(1 for _ in pattern.finditer(text))


def rank(tips: QuerySet[Tip], query: str) -> list[Tip]:
    words = terms(query)
    if not words:
        return list(tips)
    labels = tag_labels()
    match = reduce(
        or_,
        (
            Q(title__icontains=w)
            | Q(text__icontains=w)
            | Q(contexts__icontains=w)
            | Q(practice__icontains=w)
            | Q(defense__icontains=w)
            | _tagged(w, labels)
            for term in words
            for w in spellings(term)
        ),
    )
    patterns = [_pattern(word) for word in words]
    ranked = []
    for tip in tips.filter(match):
        title, text, tags = tip.title.lower(), tip.text.lower(), _tag_text(tip, labels)
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
