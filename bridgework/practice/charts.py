"""The growth chart: each practice's self-rating over time, as a server-rendered SVG.

The page shows the same numbers in a table beside it, so nobody depends on the picture.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import assessment
from .models import Assessment

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 72, 232, 16, 40
MARKER_SPREAD = 7  # px between the markers of practices rated the same at one assessment


# Each practice's line has its own dash pattern and marker shape as well as its colour, so
# two lines on the same values both stay visible, and nobody needs to tell colours apart.
DASHES = ["", "9 4", "2 4", "12 4 2 4", "5 5", "14 6", "2 2 8 2"]
MARKERS = ["circle", "square", "triangle", "diamond", "triangle-down", "plus", "cross"]


@dataclass(frozen=True)
class Point:
    taken_at: datetime
    scores: dict[str, float]
    take: int = 0  # 1, 2, ... when more than one assessment was taken that day, else 0

    @property
    def label(self) -> str:
        day = date_format(timezone.localtime(self.taken_at), "j M Y")
        if not self.take:
            return day
        return _("%(day)s, take %(number)s") % {"day": day, "number": self.take}

    @property
    def short_label(self) -> str:
        day = date_format(timezone.localtime(self.taken_at), "j M y")
        return f"{day} ({self.take})" if self.take else day


def growth_series(assessments: list[Assessment]) -> list[Point]:
    """One point per assessment, oldest first. Takes on the same day are numbered."""
    days = [timezone.localdate(a.taken_at) for a in assessments]
    per_day = Counter(days)
    seen: Counter[object] = Counter()
    points = []
    for taken, day in zip(assessments, days, strict=True):
        seen[day] += 1
        points.append(
            Point(
                taken.taken_at,
                assessment.practice_scores(taken.answers or {}),
                take=seen[day] if per_day[day] > 1 else 0,
            )
        )
    return points


def marker(shape: str, x: float, y: float, css: str) -> str:
    """A marker of the given shape, about 9 px across, centred on (x, y)."""
    r = 4.5
    css = f"{css} chart__dot--{shape}"
    if shape == "circle":
        return f'<circle class="{css}" cx="{x:.1f}" cy="{y:.1f}" r="4"/>'
    if shape == "square":
        return f'<rect class="{css}" x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8"/>'
    corners = {
        "triangle": [(0, -r - 0.5), (r, r - 0.5), (-r, r - 0.5)],
        "triangle-down": [(0, r + 0.5), (r, -r + 0.5), (-r, -r + 0.5)],
        "diamond": [(0, -r - 0.5), (r + 0.5, 0), (0, r + 0.5), (-r - 0.5, 0)],
        "plus": [
            (-1.5, -r),
            (1.5, -r),
            (1.5, -1.5),
            (r, -1.5),
            (r, 1.5),
            (1.5, 1.5),
            (1.5, r),
            (-1.5, r),
            (-1.5, 1.5),
            (-r, 1.5),
            (-r, -1.5),
            (-1.5, -1.5),
        ],
        "cross": [
            (-r, -r + 2),
            (-r + 2, -r),
            (0, -2),
            (r - 2, -r),
            (r, -r + 2),
            (2, 0),
            (r, r - 2),
            (r - 2, r),
            (0, 2),
            (-r + 2, r),
            (-r, r - 2),
            (-2, 0),
        ],
    }[shape]
    points = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)
    return f'<polygon class="{css}" points="{points}"/>'


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + (span * index / (count - 1) if count > 1 else span / 2)


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value / 4)


def _marker_offsets(series: list[Point]) -> list[dict[str, float]]:
    """Per assessment, a small sideways shift for the markers of practices that share a
    value, so that every marker shows even when the lines lie on top of each other."""
    offsets = []
    for point in series:
        by_value: dict[float, list[str]] = {}
        for info in assessment.PRACTICES:
            if info.slug in point.scores:
                by_value.setdefault(round(point.scores[info.slug], 2), []).append(info.slug)
        shift: dict[str, float] = {}
        for slugs in by_value.values():
            middle = (len(slugs) - 1) / 2
            for n, slug in enumerate(slugs):
                shift[slug] = (n - middle) * MARKER_SPREAD
        offsets.append(shift)
    return offsets


def growth_svg(series: list[Point]) -> SafeString:
    """One line per practice (0 to 4 on the frequency scale), labelled at its end."""
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        'aria-labelledby="growth-title growth-desc" xmlns="http://www.w3.org/2000/svg">',
        '<title id="growth-title">'
        + escape(_("How often you practised, assessment by assessment"))
        + "</title>",
        '<desc id="growth-desc">'
        + escape(
            _(
                "A line for each of the seven practices, from 0 (not this month) to 4 (most "
                "days), each with its own marker and dash pattern. The same numbers are in "
                "the table below."
            )
        )
        + "</desc>",
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
            f'text-anchor="middle">{escape(point.short_label)}</text>'
        )
    spread = _marker_offsets(series)
    used: list[float] = []
    for number, info in enumerate(assessment.PRACTICES, start=1):
        coords = [
            (_x(i, count), _y(p.scores[info.slug]))
            for i, p in enumerate(series)
            if info.slug in p.scores
        ]
        dots = [
            (_x(i, count) + spread[i].get(info.slug, 0), _y(p.scores[info.slug]))
            for i, p in enumerate(series)
            if info.slug in p.scores
        ]
        if not coords:
            continue
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        dash = DASHES[(number - 1) % len(DASHES)]
        shape = MARKERS[(number - 1) % len(MARKERS)]
        parts.append(
            f'<polyline class="chart__line chart__line--{number}" points="{path}"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + "/>"
        )
        parts.extend(marker(shape, x, y, f"chart__line--{number} chart__dot") for x, y in dots)
        # Labels at the line ends, nudged apart so they never overlap.
        label_y = coords[-1][1]
        while any(abs(label_y - other) < 14 for other in used):
            label_y += 14
        used.append(label_y)
        parts.append(
            marker(shape, WIDTH - RIGHT + 34, label_y, f"chart__line--{number} chart__dot")
            + f'<text class="chart__label chart__label--{number}" x="{WIDTH - RIGHT + 44}" '
            f'y="{label_y + 4:.1f}">{escape(info.name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)
