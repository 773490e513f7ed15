"""Words in a proposed wording that could point to a person: pure functions, no Django.

Before an ask leaves its group's space, the facilitator's wording is checked against the
names the organisation holds: people's names and e-mail addresses, the names of its groups,
cohorts and of the spaces the facilitator can see, and its places (see `names.py`). `Names`
says which words to look for (built once per request from the organisation's data);
`find_identifying` returns the ones a text contains.

Matching works on words, not on letters: "Sam" flags "sam", "SAM" and "Sam's" but not
"Samantha" or "same". It is not fooled by the easy tricks: accents ("Sám"), punctuation
between the parts of a name ("Sam.Chen", "sam_chen"), the letters of a word spelled out
("S.a.m", "S a m", "C-h-e-n") or characters that do not show ("Sa\u200bm").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Words that are names, but also words nobody can write an ask without ("Will", "May").
# They are flagged only inside a whole name ("Will Smith"), never alone.
EVERYDAY_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "can", "do", "for", "from",
        "go", "he", "her", "him", "his", "i", "if", "in", "is", "it", "its", "may", "me",
        "mr", "mrs", "ms", "my", "no", "not", "of", "on", "or", "our", "she", "so", "the",
        "they", "to", "up", "us", "we", "will", "with", "you",
    }
)  # fmt: skip
# Words that say what kind of place something is. Alone they point to nobody, so the parts
# of a place's name are flagged except these ("Leeds" in "Leeds office, room 3").
PLACE_WORDS = frozenset(
    {
        "building", "call", "campus", "centre", "center", "east", "floor", "ground",
        "hall", "house", "level", "main", "meet", "meeting", "north", "office", "online",
        "room", "site", "south", "street", "road", "suite", "teams", "video", "west", "wing",
        "zoom",
    }
)  # fmt: skip

# Words for everyone taking part. A name made only of these ("Allies", "Allies' space",
# "Everyone") is the audience of an allies' space and points to nobody, so it is not flagged.
AUDIENCE_WORDS = frozenset(
    {
        "all", "allies", "ally", "community", "everyone", "members", "participants",
        "people", "program", "programme", "space", "spaces", "whole",
    }
)  # fmt: skip

_WORD = re.compile(r"[^\W_]+")
# Separators inside a place's name that divide it into places of its own.
_PLACE_PARTS = re.compile(r"\s*(?:[,;/|()]|\s[-\u2013\u2014]\s)\s*")


def fold(text: str) -> str:
    """Lower case without accents or invisible characters, for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = (c for c in decomposed if unicodedata.category(c) not in {"Mn", "Me", "Cf", "Cc", "Co"})
    return "".join(kept).casefold()


def words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def _usable_part(word: str) -> bool:
    return len(word) > 1 and not word.isdigit() and word not in EVERYDAY_WORDS


@dataclass
class Names:
    """What to look for: each name as a sequence of folded words."""

    phrases: set[tuple[str, ...]] = field(default_factory=set)

    def add_phrase(self, text: str) -> None:
        phrase = words(text)
        if len(phrase) > 1 or (phrase and _usable_part(phrase[0])):
            self.phrases.add(phrase)

    def add_parts(self, text: str, *, skip: frozenset[str] = frozenset()) -> None:
        for word in words(text):
            if _usable_part(word) and word not in skip:
                self.phrases.add((word,))

    def add_person(self, name: str) -> None:
        """A person's name, whole and each of its parts: a surname alone is enough."""
        self.add_phrase(name)
        self.add_parts(name)

    def add_email(self, address: str) -> None:
        """The part before the @ ("sam.chen"), whole and in parts; the domain is everyone's."""
        local = address.rsplit("@", 1)[0]
        self.add_phrase(local)
        self.add_parts(local)

    def add_name(self, name: str) -> None:
        """A group's, space's, cohort's or organisation's name, whole: its single words
        ("Disability", "Network") are what asks are about."""
        if set(words(name)) <= AUDIENCE_WORDS | EVERYDAY_WORDS:
            return
        self.add_phrase(name)

    def add_place(self, place: str) -> None:
        """A place ("Leeds office, room 3"): each part, and each word that names a place."""
        for part in _PLACE_PARTS.split(place):
            self.add_phrase(part)
            self.add_parts(part, skip=PLACE_WORDS)

    @property
    def joined(self) -> dict[str, tuple[str, ...]]:
        return {"".join(phrase): phrase for phrase in self.phrases}


@dataclass(frozen=True)
class _Word:
    folded: str
    start: int
    end: int


def _words_with_positions(text: str) -> list[_Word]:
    """The words of the text, folded, with where they stand in it. A character that is not
    part of a word (an invisible one, a combining accent on its own) splits a word in two;
    `_glued` joins the halves again."""
    found = []
    for match in _WORD.finditer(text):
        folded = fold(match.group())
        if folded:
            found.append(_Word(folded, match.start(), match.end()))
    return found


def _glued(text: str, left: _Word, right: _Word) -> bool:
    """Two words read as one: nothing but punctuation between them ("S.a.m", "Sa-m"), or
    both a single letter ("S a m")."""
    between = text[left.end : right.start]
    if not any(c.isspace() for c in between):
        return True
    return len(left.folded) == 1 and len(right.folded) == 1


def find_identifying(text: str, names: Names) -> list[str]:
    """The stretches of the text that match a name, as written, each once, in order."""
    if not names.phrases:
        return []
    sequence = _words_with_positions(text)
    joined = names.joined
    longest = max(len(key) for key in joined)
    lengths = sorted({len(phrase) for phrase in names.phrases}, reverse=True)
    flagged: list[str] = []
    seen: set[str] = set()
    index = 0
    while index < len(sequence):
        end = _longest_match(text, sequence, index, names.phrases, joined, lengths, longest)
        if end is None:
            index += 1
            continue
        quoted = text[sequence[index].start : sequence[end].end]
        key = fold(quoted)
        if key not in seen:
            seen.add(key)
            flagged.append(quoted)
        index = end + 1
    return flagged


def _longest_match(
    text: str,
    sequence: list[_Word],
    index: int,
    phrases: set[tuple[str, ...]],
    joined: dict[str, tuple[str, ...]],
    lengths: list[int],
    longest: int,
) -> int | None:
    """The index of the last word of the longest name starting at `index`, if any."""
    best: int | None = index if sequence[index].folded in joined else None
    for length in lengths:
        stop = index + length
        if stop <= len(sequence) and tuple(w.folded for w in sequence[index:stop]) in phrases:
            best = stop - 1
            break
    glued = sequence[index].folded
    for last in range(index + 1, len(sequence)):
        if not _glued(text, sequence[last - 1], sequence[last]):
            break
        glued += sequence[last].folded
        if len(glued) > longest:
            break
        if glued in joined and (best is None or last > best):
            best = last
    return best


def names_from(
    *,
    people: Iterable[str] = (),
    emails: Iterable[str] = (),
    names: Iterable[str] = (),
    places: Iterable[str] = (),
) -> Names:
    found = Names()
    for person in people:
        found.add_person(person)
    for address in emails:
        found.add_email(address)
    for name in names:
        found.add_name(name)
    for place in places:
        found.add_place(place)
    return found
