"""Joining someone's words into our own sentences without doubled punctuation."""

from __future__ import annotations

ENDINGS = (".", "!", "?", "…")


def as_sentence(text: str) -> str:
    """The text as one sentence: trimmed, ending with a full stop unless it already ends
    with a full stop, an exclamation or question mark or an ellipsis. Empty stays empty."""
    text = text.strip()
    if not text or text.endswith(ENDINGS):
        return text
    return f"{text}."
