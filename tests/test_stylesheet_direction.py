"""The stylesheets name sides by the flow of text (start and end), never by left and right, so
that a right-to-left language (`dir="rtl"`, the ar-xb pseudo-locale) mirrors the whole layout
with no second stylesheet: margin-inline-start, not margin-left."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import bridgework

STATIC = Path(bridgework.__file__).parent / "static"
STYLESHEETS = sorted(STATIC.rglob("*.css"))

PHYSICAL = re.compile(
    r"(?<![\w-])(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)\b"
    r"|(?<![\w-])border-(?:top|bottom)-(?:left|right)-radius\b"
    r"|(?:^|[{;\s])(?:left|right)\s*:"
    r"|(?<![\w-])(?:text-align|float|clear)\s*:\s*(?:left|right)\b",
    re.MULTILINE,
)


def physical_sides(css: str) -> list[str]:
    """Each declaration in `css` that names a physical side, with its line number."""
    without_comments = re.sub(r"/\*.*?\*/", lambda m: "\n" * m[0].count("\n"), css, flags=re.S)
    return [
        f"line {without_comments.count(chr(10), 0, found.start()) + 1}: {found[0].strip()}"
        for found in PHYSICAL.finditer(without_comments)
    ]


def test_the_check_finds_each_kind_of_physical_side() -> None:
    css = """.a { margin-left: 1px; padding-right: 0; border-left: 1px solid; }
    .b { left: 0; }
    .c {right:0}
    .d { text-align: left; float: right; border-top-left-radius: 2px; }"""

    assert len(physical_sides(css)) == 8


def test_the_check_leaves_logical_sides_and_comments_alone() -> None:
    css = """/* margin-left would be wrong here */
    .a { margin-inline-start: 1px; inset-inline-end: 0; text-align: start; float: inline-end; }
    .b { border-start-start-radius: 2px; box-shadow: inset 0 -3px 0 red; }"""

    assert physical_sides(css) == []


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda path: path.name)
def test_stylesheet_names_no_left_or_right(path: Path) -> None:
    assert physical_sides(path.read_text(encoding="utf-8")) == []
