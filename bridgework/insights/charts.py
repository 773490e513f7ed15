"""Server-rendered SVG charts for the insights dashboard, in the house style of the growth
chart: a title and description for screen readers, and a data table beside every chart.

A hidden (suppressed) row never gets a bar or a dot: it carries its text instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

WIDTH = 640
LABEL = 220
RIGHT = 110
ROW = 30
TOP = 12
BOTTOM = 34


def percent(value: int) -> str:
    """A whole percentage as the active language writes it ("45%", "45 %")."""
    return gettext("%(percent)s%%") % {"percent": number_format(value)}


def signed(value: float) -> str:
    """A number with its sign and two decimals, such as +0.25 or -0.10."""
    return ("+" if value >= 0 else "") + number_format(round(value, 2), 2)


@dataclass(frozen=True)
class Row:
    label: str
    value: float | None  # None: hidden or nothing to show; `text` says which
    interval: tuple[float, float] | None
    text: str


def _open(key: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg class="chart insights-chart" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{key}-title">{escape(title)}</title>',
        f'<desc id="{key}-desc">{escape(desc)}</desc>',
    ]


def _row_label(y: float, label: str) -> str:
    return (
        f'<text class="chart__axis insights-chart__label" x="{LABEL - 8}" y="{y + 4:.1f}" '
        f'text-anchor="end">{escape(label)}</text>'
    )


def _gridline(css: str, at: float, bottom: float, label: str) -> str:
    return (
        f'<line class="{css}" x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{bottom}"/>'
        f'<text class="chart__axis" x="{at:.1f}" y="{bottom + 18}" text-anchor="middle">'
        f"{label}</text>"
    )


def _hidden(y: float, text: str) -> str:
    """What stands in a row whose figure is not shown: the reason, in words."""
    return (
        f'<text class="insights-chart__hidden" x="{LABEL + 6}" y="{y + 4:.1f}">'
        f"{escape(text)}</text>"
    )


def _shown_rows(parts: list[str], rows: list[Row]) -> Iterator[tuple[float, Row, float]]:
    """Each row's label at its height; a row whose figure is withheld gets the reason instead
    and is not handed on. The rest come with their height and value."""
    for index, row in enumerate(rows):
        y = TOP + ROW * index + ROW / 2
        parts.append(_row_label(y, row.label))
        if row.value is None:
            parts.append(_hidden(y, row.text))
            continue
        yield y, row, row.value


def bars(key: str, title: str, desc: str, rows: list[Row]) -> SafeString:
    """Horizontal bars for shares from 0 to 100%, with an optional interval line."""
    height = TOP + ROW * max(1, len(rows)) + BOTTOM
    span = WIDTH - LABEL - RIGHT

    def x(value: float) -> float:
        return LABEL + span * max(0.0, min(1.0, value))

    parts = _open(key, title, desc, height)
    bottom = height - BOTTOM
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(_gridline("chart__grid", x(tick), bottom, percent(round(tick * 100))))
    for y, row, value in _shown_rows(parts, rows):
        parts.append(
            f'<rect class="insights-chart__bar" x="{LABEL}" y="{y - 9:.1f}" '
            f'width="{x(value) - LABEL:.1f}" height="18"/>'
        )
        end = x(value)
        if row.interval is not None:
            low, high = x(row.interval[0]), x(row.interval[1])
            parts.append(_interval(low, high, y, whiskers=True))
            end = max(end, high)
        parts.append(
            f'<text class="chart__axis" x="{end + 6:.1f}" y="{y + 4:.1f}">{escape(row.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)


def _interval(low: float, high: float, y: float, *, whiskers: bool) -> str:
    """A row's interval: a line from `low` to `high`, and a short upright at each end when
    `whiskers` (as the bar chart draws it; the dot chart draws the line alone)."""
    line = (
        f'<line class="insights-chart__ci" x1="{low:.1f}" x2="{high:.1f}" '
        f'y1="{y:.1f}" y2="{y:.1f}"/>'
    )
    if not whiskers:
        return line
    return line + "".join(
        f'<line class="insights-chart__ci" x1="{end:.1f}" x2="{end:.1f}" '
        f'y1="{y - 5:.1f}" y2="{y + 5:.1f}"/>'
        for end in (low, high)
    )


def dots(key: str, title: str, desc: str, rows: list[Row]) -> SafeString:
    """A dot per row with its interval, on an axis symmetric around zero (a forest plot)."""
    height = TOP + ROW * max(1, len(rows)) + BOTTOM
    span = WIDTH - LABEL - RIGHT
    reach = 0.5
    for row in rows:
        for value in [row.value, *(row.interval or ())]:
            if value is not None:
                reach = max(reach, abs(value))
    # A round axis end, so the ticks at half of it read well. A change in a 0-4 rating lies
    # within 4 of zero; a noisy interval that reaches past it stops at the axis's end.
    reach = next((r for r in (0.5, 1.0, 2.0, 4.0) if r >= reach), 4.0)

    def x(value: float) -> float:
        return LABEL + span * (max(-reach, min(reach, value)) + reach) / (2 * reach)

    parts = _open(key, title, desc, height)
    bottom = height - BOTTOM
    for tick in (-reach, -reach / 2, 0.0, reach / 2, reach):
        css = "insights-chart__zero" if tick == 0 else "chart__grid"
        parts.append(_gridline(css, x(tick), bottom, signed(tick)))
    for y, row, value in _shown_rows(parts, rows):
        end = x(value)
        if row.interval is not None:
            low, high = x(row.interval[0]), x(row.interval[1])
            parts.append(_interval(low, high, y, whiskers=False))
            end = high
        parts.append(
            f'<circle class="insights-chart__dot" cx="{x(value):.1f}" cy="{y:.1f}" r="5"/>'
            f'<text class="chart__axis" x="{end + 6:.1f}" y="{y + 4:.1f}">{escape(row.text)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every text in it is escaped above)
