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

from .content import CONTEXTS, DIMENSIONS

SIZE = 560
CENTRE = SIZE / 2
RADIUS = 170
CONTEXT_LABELS = dict(CONTEXTS)


@dataclass(frozen=True)
class Spoke:
    name: str
    values: dict[str, int]  # context -> 1..5


def spokes(data: dict[str, Any] | None) -> list[Spoke]:
    """The dimensions the person placed themselves on, listed ones first, then their own."""
    data = data or {}
    dims = data.get("dimensions") or {}
    result = [Spoke(d.name, dict(dims[d.slug])) for d in DIMENSIONS if dims.get(d.slug)]
    for item in data.get("custom") or []:
        if item.get("values"):
            result.append(Spoke(str(item.get("name") or "Your own"), dict(item["values"])))
    return result


def contexts_used(items: list[Spoke]) -> list[tuple[str, str]]:
    return [(key, label) for key, label in CONTEXTS if any(key in s.values for s in items)]


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


def _point(index: int, count: int, value: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    distance = RADIUS * value / 5
    return CENTRE + distance * math.cos(angle), CENTRE + distance * math.sin(angle)


def wheel_svg(items: list[Spoke]) -> SafeString:
    count = len(items)
    less, even, more = balance(items)
    parts = [
        f'<svg class="chart wheel" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        'aria-labelledby="wheel-title wheel-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="wheel-title">Your social location wheel</title>',
        f'<desc id="wheel-desc">{count} parts of who you are, each on a spoke from 1 near '
        "the centre (gives you less access or power) to 5 at the edge (gives you more). "
        f"{less} give you less, {even} about even and {more} more. The same numbers are in "
        "the table below.</desc>",
    ]
    for ring in range(1, 6):
        css = "wheel__ring wheel__ring--even" if ring == 3 else "wheel__ring"
        parts.append(
            f'<circle class="{css}" cx="{CENTRE}" cy="{CENTRE}" r="{RADIUS * ring / 5:.1f}"/>'
        )
    for index, spoke in enumerate(items):
        x, y = _point(index, count, 5)
        parts.append(
            f'<line class="chart__grid" x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}"/>'
        )
        lx, ly = _point(index, count, 5.9)
        anchor = "middle" if abs(lx - CENTRE) < 10 else ("start" if lx > CENTRE else "end")
        parts.append(
            f'<text class="chart__axis wheel__label" x="{lx:.1f}" y="{ly + 4:.1f}" '
            f'text-anchor="{anchor}">{escape(spoke.name[:28])}</text>'
        )
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
    parts.append(
        f'<text class="chart__axis" x="{CENTRE}" y="{CENTRE - RADIUS * 3 / 5 - 6:.1f}" '
        'text-anchor="middle">about even</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)
