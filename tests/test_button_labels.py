"""Buttons lay out their content with flexbox (to centre it), and a flex container drops the
spaces between its text and an inline element: "Next part: <bdi>Title</bdi>" would read
"Next part:Title". So a button whose label mixes words and markup wraps it in one <span>."""

from __future__ import annotations

import re
from pathlib import Path

import bridgework

TEMPLATES = Path(bridgework.__file__).parent / "templates"
BUTTON = re.compile(r'<(a|button)\b[^>]*class="[^"]*\bbutton\b[^"]*"[^>]*>(.*?)</\1>', re.S)
HIDDEN = re.compile(r'<span class="visually-hidden">.*?</span>', re.S)
MARKUP = re.compile(r"<(?!/)(\w+)")


def glued_labels(html: str) -> list[str]:
    """Each button label that puts an element beside its words without a wrapping span."""
    found = []
    for button in BUTTON.finditer(html):
        label = button[2].strip()
        if label.startswith("<span>") and label.endswith("</span>"):
            continue
        # A visually hidden part is taken out of the flow, so it does not split the label.
        if MARKUP.search(HIDDEN.sub("", label)):
            found.append(label[:80])
    return found


def test_the_check_finds_a_label_split_by_markup() -> None:
    assert glued_labels('<a class="button" href="#">Read <bdi>{{ t }}</bdi></a>')
    assert not glued_labels('<a class="button" href="#"><span>Read <bdi>{{ t }}</bdi></span></a>')
    assert not glued_labels(
        '<button class="button">Edit<span class="visually-hidden"> <bdi>x</bdi></span></button>'
    )


def test_no_button_label_loses_its_spaces() -> None:
    problems = {
        str(path.relative_to(TEMPLATES)): glued
        for path in sorted(TEMPLATES.rglob("*.html"))
        if (glued := glued_labels(path.read_text()))
    }
    assert problems == {}
