"""The social location wheel: a server-rendered SVG radar, with the same numbers in a table.

Each spoke is one part of who you are; the further out, the more access or power it gives
you. The middle ring marks "about even". A shape that bulges on some spokes and dips on
others shows what the map is for: nobody is all privilege or all disadvantage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .content import CONTEXTS, DIMENSIONS

# The drawing is wider than the wheel, so labels on the left and right spokes have room for
# a dozen characters a line; long names wrap onto a second line instead of being cut off.
WIDTH = 600
HEIGHT = 440
CENTRE_X = WIDTH / 2
CENTRE_Y = HEIGHT / 2
RADIUS = 140
LABEL_GAP = 14
LINE_HEIGHT = 16
LINE_CHARS = 13
CONTEXT_LABELS = dict(CONTEXTS)


@dataclass(frozen=True)
class Spoke:
    name: str
    values: dict[str, int]  # context -> 1..5


def spokes(data: dict[str, Any] | None) -> list[Spoke]:
    """The dimensions the person placed themselves on, listed ones first, then their own."""
    data = data or {}
    dims = data.get("dimensions") or {}
    result = [Spoke(str(d.name), dict(dims[d.slug])) for d in DIMENSIONS if dims.get(d.slug)]
    for item in data.get("custom") or []:
        if item.get("values"):
            result.append(Spoke(str(item.get("name") or _("Your own")), dict(item["values"])))
    return result


def contexts_used(items: list[Spoke]) -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in CONTEXTS if any(key in s.values for s in items)]


def balance(items: list[Spoke]) -> tuple[int, int, int]:
    """How many parts (by their general value, else their average) give less, even, more."""
    less = even = more = 0
    for spoke in items:
        value = spoke.values.get("overall") or sum(spoke.values.values()) / len(spoke.values)
        if value < 3:
            less += 1
        elif value > 3:
            more += 1
        else:
            even += 1
    return less, even, more


def _angle(index: float, count: int) -> float:
    return -math.pi / 2 + 2 * math.pi * index / count


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    return _at(_angle(index, count), RADIUS * value / 5)


def _at(angle: float, distance: float) -> tuple[float, float]:
    return CENTRE_X + distance * math.cos(angle), CENTRE_Y + distance * math.sin(angle)


def label_lines(name: str) -> list[str]:
    """A spoke's name in at most two short lines, whole words where they fit."""
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return [line if len(line) <= LINE_CHARS + 2 else line[: LINE_CHARS + 1] + "…" for line in lines]


def _spoke_label(index: int, count: int, name: str) -> str:
    angle = _angle(index, count)
    x, y = _at(angle, RADIUS + LABEL_GAP)
    dx, dy = math.cos(angle), math.sin(angle)
    anchor = "middle" if abs(dx) < 0.3 else ("start" if dx > 0 else "end")
    lines = label_lines(name)
    # Grow away from the wheel: labels above it end at the spoke, labels below start there,
    # labels at the sides sit centred on it.
    if dy < -0.3:
        first = y - (len(lines) - 1) * LINE_HEIGHT
    elif dy > 0.3:
        first = y + LINE_HEIGHT * 0.8
    else:
        first = y + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x:.1f}" y="{first + n * LINE_HEIGHT:.1f}">{escape(line)}</tspan>'
        for n, line in enumerate(lines)
    )
    return f'<text class="chart__axis wheel__label" text-anchor="{anchor}">{spans}</text>'


def wheel_svg(items: list[Spoke]) -> SafeString:
    count = len(items)
    less, even, more = balance(items)
    parts = [
        f'<svg class="chart wheel" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="wheel-title wheel-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="wheel-title">' + escape(_("Your social location wheel")) + "</title>",
        '<desc id="wheel-desc">'
        + escape(
            ngettext(
                "%(count)s part of who you are, on a spoke from 1 near the centre (gives you "
                "less access or power) to 5 at the edge (gives you more).",
                "%(count)s parts of who you are, each on a spoke from 1 near the centre (gives "
                "you less access or power) to 5 at the edge (gives you more).",
                count,
            )
            % {"count": count}
        )
        + " "
        + escape(
            _(
                "Less access or power: %(less)s; about even: %(even)s; more: %(more)s. A "
                "dashed ring marks about even. The same numbers are in the table below."
            )
            % {"less": less, "even": even, "more": more}
        )
        + "</desc>",
    ]
    for ring in range(1, 6):
        # The dashed middle ring ("about even") is named in the legend under the picture: a
        # label inside the wheel always lands on a spoke or a shape.
        css = "wheel__ring wheel__ring--even" if ring == 3 else "wheel__ring"
        parts.append(
            f'<circle class="{css}" cx="{CENTRE_X}" cy="{CENTRE_Y}" r="{RADIUS * ring / 5:.1f}"/>'
        )
    for index, spoke in enumerate(items):
        x, y = _point(index, count, 5)
        parts.append(
            f'<line class="chart__grid" x1="{CENTRE_X}" y1="{CENTRE_Y}" x2="{x:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(_spoke_label(index, count, spoke.name))
    for number, (context, _label) in enumerate(contexts_used(items), start=1):
        coords = [
            _point(index, count, spoke.values[context])
            for index, spoke in enumerate(items)
            if context in spoke.values
        ]
        if len(coords) >= 3:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(
                f'<polygon class="wheel__shape chart__line chart__line--{number}" points="{path}"/>'
            )
        for x, y in coords:
            parts.append(
                f'<circle class="chart__dot chart__line--{number}" '
                f'cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)
