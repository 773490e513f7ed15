"""The growth chart: each practice's self-rating over time, as a server-rendered SVG.

The page shows the same numbers in a table beside it, so nobody depends on the picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from . import assessment
from .models import Assessment

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 180, 16, 40


@dataclass(frozen=True)
class Point:
    taken_at: datetime
    scores: dict[str, float]


def growth_series(assessments: list[Assessment]) -> list[Point]:
    return [Point(a.taken_at, assessment.practice_scores(a.answers or {})) for a in assessments]


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 4)


def growth_svg(series: list[Point]) -> SafeString:
    """One line per practice (0 to 4 on the frequency scale), labelled at its end."""
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="growth-title growth-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="growth-title">How often you practised, assessment by assessment</title>',
        '<desc id="growth-desc">A line for each of the seven practices, from 0 (not this '
        "month) to 4 (most days). The same numbers are in the table below.</desc>",
    ]
    for level, _label in assessment.FREQUENCY_SCALE:
        y = _y(level)
        parts.append(
            f'<line class="chart__grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart__axis" x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end">'
            f"{level}</text>"
        )
    count = len(series)
    for index, point in enumerate(series):
        parts.append(
            f'<text class="chart__axis" x="{_x(index, count):.1f}" y="{HEIGHT - 12}" '
            f'text-anchor="middle">{escape(point.taken_at.strftime("%d %b %y"))}</text>'
        )
    used: list[float] = []
    for number, info in enumerate(assessment.PRACTICES, start=1):
        coords = [
            (_x(i, count), _y(p.scores[info.slug]))
            for i, p in enumerate(series)
            if info.slug in p.scores
        ]
        if not coords:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        parts.append(f'<polyline class="chart__line chart__line--{number}" points="{path}"/>')
        for x, y in coords:
            parts.append(
                f'<circle class="chart__dot chart__line--{number}" cx="{x:.1f}" '
                f'cy="{y:.1f}" r="4"/>'
            )
        # Labels at the line ends, nudged apart so they never overlap.
        label_y = coords[-1][1]
        while any(abs(label_y - other) < 14 for other in used):
            label_y += 14
        used.append(label_y)
        parts.append(
            f'<text class="chart__label chart__label--{number}" x="{WIDTH - RIGHT + 10}" '
            f'y="{label_y + 4:.1f}">{escape(info.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)
