"""Pseudo-translations: English made visibly foreign so that a page shown in a pseudo-locale
reveals every piece of text that did not come through a translation catalog.

`en-xa` accents every letter and brackets each message; `ar-xb` does the same for a page laid
out right to left. Placeholders, HTML tags, entities, URLs and Markdown link targets are kept
exactly, so the pseudo text works wherever the real one does.
"""

from __future__ import annotations

import re

ACCENTED = "en-xa"
RIGHT_TO_LEFT = "ar-xb"
LANGUAGES = (ACCENTED, RIGHT_TO_LEFT)

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_FOREIGN = "àƀçđéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÀƁÇĐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
_ACCENTS = str.maketrans(_PLAIN, _FOREIGN)
FOREIGN_LETTERS = frozenset(_FOREIGN)

# Left as they are: printf and str.format placeholders, tags, entities, URLs, the target of a
# Markdown link, and inline code.
_KEEP = re.compile(
    r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdifr]|%[sdifr%]|\{[^{}\s]*\}|<[^>]*>|&#?\w+;"
    r"|https?://\S+|\]\([^)]*\)|`[^`]*`"
)


def accent(text: str) -> str:
    """Every letter outside placeholders, tags and links swapped for an accented one."""
    pieces = []
    last = 0
    for match in _KEEP.finditer(text):
        pieces.append(text[last : match.start()].translate(_ACCENTS))
        pieces.append(match.group(0))
        last = match.end()
    pieces.append(text[last:].translate(_ACCENTS))
    return "".join(pieces)


def message(text: str) -> str:
    """A short interface message: accented and bracketed, so a cut-off end shows."""
    if not text.strip():
        return text
    return f"[{accent(text)}]"


def is_pseudo(language: str | None) -> bool:
    return (language or "").lower() in LANGUAGES
