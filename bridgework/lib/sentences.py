"""Joining someone's words into our own sentences without doubled punctuation, and telling
whether a form sent back the words it was given."""

from __future__ import annotations

ENDINGS = (".", "!", "?", "…")


def as_sentence(text: str) -> str:
    """The text as one sentence: trimmed, ending with a full stop unless it already ends
    with a full stop, an exclamation or question mark or an ellipsis. Empty stays empty."""
    text = text.strip()
    if not text or text.endswith(ENDINGS):
        return text
    return f"{text}."


def same_words(a: str, b: str) -> bool:
    """The same text, whatever line ends the browser sent and spaces around it."""
    return a.replace("\r\n", "\n").strip() == b.replace("\r\n", "\n").strip()
