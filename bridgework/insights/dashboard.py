"""What one view of the dashboard shows, built from its finished cells in one query.

The page and the CSV export are both rendered from the same `Dashboard`, so the export
holds exactly what the screen shows, suppression included.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.safestring import SafeString

from bridgework.cohorts.models import Cohort
from bridgework.curriculum.vocabulary import Courage, Practice
from bridgework.lib import stats

from . import charts
from .models import RETENTION_PERIOD, Cell, Organisation, Period, RollupState
from .pulse import ITEMS as SAFETY_ITEMS


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass
class Section:
    key: str
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    chart: SafeString | None = None
    chart_note: str = ""
    empty: str = ""
    # Tables too wide to sit beside their chart go below it.
    wide: bool = True


@dataclass
class Dashboard:
    scope_label: str
    period_label: str
    minimum: int
    computed_at: object
    sections: list[Section]
    hidden_small: bool = False
    hidden_other: bool = False

    def tables(self) -> list[tuple[Section, Table]]:
        return [(s, t) for s in self.sections for t in s.tables]


class _Cells:
    def __init__(self, cells: list[Cell], minimum: int) -> None:
        self.by: dict[str, dict[str, Cell]] = defaultdict(dict)
        for cell in cells:
            self.by[cell.section][cell.key] = cell
        self.minimum = minimum
        self.small = False
        self.other = False

    def get(self, section: str, key: str) -> Cell | None:
        return self.by.get(section, {}).get(key)

    def hidden(self, cell: Cell | None) -> bool:
        # The page checks the threshold again, whatever the rollup decided.
        return cell is not None and (cell.hidden != "" or 0 < cell.people < self.minimum)

    def mark(self, cell: Cell | None) -> str:
        """The text shown instead of a hidden number."""
        assert cell is not None
        if cell.hidden in {"", "small"} or 0 < cell.people < self.minimum:
            self.small = True
            return f"fewer than {self.minimum}"
        self.other = True
        return "hidden*"


def _int(value: float) -> str:
    return f"{round(value):,}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _ci(low: float, high: float, digits: int = 2) -> str:
    return f"{low:.{digits}f} to {high:.{digits}f}"


def _pct_ci(interval: tuple[float, float]) -> str:
    return f"{100 * interval[0]:.0f}% to {100 * interval[1]:.0f}%"


def build(
    *,
    organisation: Organisation,
    cohort: Cohort | None,
    period: str,
    minimum: int,
) -> Dashboard:
    cells = list(
        Cell.objects.filter(
            Q(cohort_id=cohort.pk) if cohort else Q(cohort__isnull=True),
            Q(period=period) | Q(period=RETENTION_PERIOD, section="retention"),
            organisation=organisation,
        )
    )
    c = _Cells(cells, minimum)
    # Cells are rewritten only when their figures change; the state says when they were
    # last checked.
    refreshed_at = (
        RollupState.objects.filter(organisation=organisation)
        .values_list("refreshed_at", flat=True)
        .first()
    )
    computed_at = refreshed_at if cells else None
    sections = [
        _participation(c),
        _follow_through(c),
        _growth(c),
        _feedback(c),
        _safety(c),
    ]
    return Dashboard(
        scope_label=cohort.name if cohort else organisation.name,
        period_label=Period(period).label,
        minimum=minimum,
        computed_at=computed_at,
        sections=sections,
        hidden_small=c.small,
        hidden_other=c.other,
    )


def _participation(c: _Cells) -> Section:
    section = Section(
        "participation",
        "Participation",
        "Who is taking part. Enrolled and active are counted today; lessons and sessions "
        "in the period you chose.",
    )
    rows: list[list[str]] = []
    enrolled = c.get("participation", "enrolled")
    if enrolled is not None:
        rows.append(
            ["Enrolled now", c.mark(enrolled) if c.hidden(enrolled) else _int(enrolled.value), ""]
        )
    active = c.get("participation", "active30")
    if active is not None:
        if c.hidden(active):
            rows.append(["Active in the last 30 days", c.mark(active), ""])
        else:
            text = ""
            if active.value2 >= 1:
                low, high = stats.wilson(int(active.value), int(active.value2))
                text = f"{_pct(active.value / active.value2)} (95% CI {_pct_ci((low, high))})"
            rows.append(["Active in the last 30 days", _int(active.value), text])
    for key, label in (("lessons", "Lessons completed"), ("attended", "Sessions attended")):
        cell = c.get("participation", key)
        if cell is None:
            continue
        if c.hidden(cell):
            rows.append([label, c.mark(cell), ""])
        else:
            rows.append([label, _int(cell.value), f"by {_int(cell.people)} people"])
    section.tables.append(
        Table("participation", "Participation", ["Measure", "Number", "Share or people"], rows)
    )
    # Retention by month since joining.
    retention_rows: list[list[str]] = []
    bars: list[charts.Row] = []
    for k in range(12):
        cell = c.get("retention", str(k))
        if cell is None or cell.value2 == 0:
            continue
        label = "The month they joined" if k == 0 else f"Month {k} after joining"
        if c.hidden(cell):
            mark = c.mark(cell)
            retention_rows.append([label, mark, mark, mark])
            bars.append(charts.Row(label, None, None, mark))
            continue
        share = cell.value / cell.value2
        interval = stats.wilson(int(cell.value), int(cell.value2))
        retention_rows.append(
            [label, _int(cell.value2), _int(cell.value), f"{_pct(share)} ({_pct_ci(interval)})"]
        )
        bars.append(charts.Row(label, share, interval, _pct(share)))
    if retention_rows:
        section.tables.append(
            Table(
                "retention",
                "Retention by month since joining",
                [
                    "Month since joining",
                    "People who reached it",
                    "Active that month",
                    "Share (95% CI)",
                ],
                retention_rows,
            )
        )
        section.chart = charts.bars(
            "retention",
            "Share of people active, by month since they joined",
            "Bars show the share of people active in each month after joining, with 95% "
            "Wilson intervals as lines. The same numbers are in the table.",
            bars,
        )
        section.chart_note = (
            "Each bar is the share of people who did anything (a lesson, a commitment, a "
            "check-in, a session) in that month after joining, among everyone who had "
            "reached that month. It shows whether people stay engaged; it does not show why "
            "anyone stopped, and people who joined recently only count in the early months."
        )
    return section


def _follow_row(c: _Cells, cell: Cell | None, label: str) -> tuple[list[str], charts.Row]:
    if cell is None:
        return [label, "0", "0", "0", "-"], charts.Row(label, None, None, "none yet")
    if c.hidden(cell):
        mark = c.mark(cell)
        return [label, mark, mark, mark, mark], charts.Row(label, None, None, mark)
    made, check_ins, kept = cell.value, cell.value2, cell.value3
    share = kept / check_ins if check_ins else None
    row = [
        label,
        _int(made),
        _int(check_ins),
        _int(kept),
        _pct(share) if share is not None else "-",
    ]
    bar = charts.Row(label, share, None, _pct(share) if share is not None else "no check-ins")
    return row, bar


def _follow_through(c: _Cells) -> Section:
    section = Section(
        wide=True,
        key="follow-through",
        title="Follow-through",
        intro="Commitments made and check-ins in the period, by practice and by courage level. "
        "“Kept” counts check-ins answered “done”.",
    )
    headers = ["", "Commitments made", "Check-ins", "Kept", "Share kept"]
    rows, bars = [], []
    for practice in Practice:
        row, bar = _follow_row(c, c.get("practice", practice.value), practice.label)
        rows.append(row)
        bars.append(bar)
    total_row, _ = _follow_row(c, c.get("practice", "total"), "All practices")
    rows.append(total_row)
    section.tables.append(Table("by-practice", "By practice", ["Practice", *headers[1:]], rows))
    courage_rows = [
        _follow_row(c, c.get("courage", str(level.value)), level.label)[0] for level in Courage
    ]
    courage_rows.append(total_row)
    section.tables.append(
        Table("by-courage", "By courage level", ["Courage level", *headers[1:]], courage_rows)
    )
    section.chart = charts.bars(
        "follow",
        "Share of check-ins answered “done”, by practice",
        "One bar per practice; hidden practices say so instead of a bar. The same numbers "
        "are in the table.",
        bars,
    )
    section.chart_note = (
        "Each bar is the share of check-ins in the period that people answered “done”. "
        "It counts check-ins, not people, so someone who checks in often weighs more; for that "
        "reason no confidence interval is drawn. It does not show how hard the commitments "
        "were or what people wrote, which stays private."
    )
    return section


def _growth(c: _Cells) -> Section:
    section = Section(
        wide=True,
        key="growth",
        title="Growth since baseline",
        intro="How often people say they practise each of the seven practices (0 = not this month, "
        "4 = most days): the change from their first self-assessment to their latest, among "
        "people with both, whose latest falls in the period.",
    )
    rows: list[list[str]] = []
    points: list[charts.Row] = []
    for practice in Practice:
        cell = c.get("growth", practice.value)
        label = practice.label
        if cell is None or cell.people == 0:
            rows.append([label, "0", "-", "-", "-", "-"])
            points.append(charts.Row(label, None, None, "no one yet"))
            continue
        if c.hidden(cell):
            mark = c.mark(cell)
            rows.append([label, mark, mark, mark, mark, mark])
            points.append(charts.Row(label, None, None, mark))
            continue
        change = stats.paired_change_from_sums(cell.people, cell.value, cell.value2)
        baseline = cell.value3 / cell.people
        mean_ci = _ci(*change.mean_ci) if change.mean_ci else "-"
        dz = (
            f"{change.dz:.2f} ({_ci(*change.dz_ci)})"
            if change.dz is not None and change.dz_ci
            else "-"
        )
        g = f"{change.g:.2f} ({_ci(*change.g_ci)})" if change.g is not None and change.g_ci else "-"
        rows.append(
            [
                label,
                _int(cell.people),
                f"{baseline:.2f}",
                f"{change.mean:+.2f}",
                mean_ci,
                f"{dz}; g = {g}",
            ]
        )
        points.append(charts.Row(label, change.mean, change.mean_ci, f"{change.mean:+.2f}"))
    section.tables.append(
        Table(
            "growth",
            "Change from baseline to latest self-rating",
            [
                "Practice",
                "People with both",
                "Mean at baseline",
                "Mean change",
                "95% CI of the change",
                "Effect size d_z (95% CI); Hedges' g",
            ],
            rows,
        )
    )
    section.chart = charts.dots(
        "growth",
        "Mean change in self-rating since baseline, by practice",
        "A dot for each practice's mean change with its 95% confidence interval as a line; "
        "the vertical line is no change. The same numbers are in the table.",
        points,
    )
    section.chart_note = (
        "Dots right of the line mean people say they practise more often than at their "
        "baseline; the line through each dot is the 95% confidence interval of the mean change "
        "(t distribution). d_z is the mean change divided by the spread of the changes; its "
        "interval uses the normal approximation SE = √(1/n + d²/2n), and Hedges' g corrects it "
        "for small groups. These are self-ratings: they show what people report, not what they "
        "do, and there is no comparison group, so they do not prove the program caused a change."
    )
    return section


def _feedback(c: _Cells) -> Section:
    section = Section(
        "feedback",
        "Session feedback",
        "From the anonymous 30-second pulse after each session, once it has closed. Only "
        f"sessions with at least {c.minimum} answers count.",
    )
    cell = c.get("feedback", "all")
    if cell is None or cell.people == 0:
        section.empty = "No closed session pulse with enough answers in this period yet."
        return section
    if c.hidden(cell):
        mark = c.mark(cell)
        rows = [["Answers", mark], ["Found it useful (4-5 of 5)", mark]]
    else:
        n = int(cell.people)
        good = stats.wilson(int(cell.value4), n)
        rows = [
            ["Sessions", _int(cell.value3)],
            ["Answers", _int(n)],
            ["Mean “useful” (1-5)", f"{cell.value / n:.2f}"],
            ["Mean “felt safe to speak” (1-5)", f"{cell.value2 / n:.2f}"],
            ["Found it useful (4-5 of 5)", f"{_pct(cell.value4 / n)} ({_pct_ci(good)})"],
        ]
    section.tables.append(Table("feedback", "Session feedback", ["Measure", "Value"], rows))
    return section


def _safety(c: _Cells) -> Section:
    section = Section(
        "safety",
        "Psychological-safety pulse",
        "Five statements about how safe it feels to speak up, ask and try things in the group "
        "(after Edmondson, 1999). Results appear only after a pulse has closed, so nobody can "
        "watch them change answer by answer.",
    )
    pulses: dict[str, dict[str, Cell]] = defaultdict(dict)
    for key, found in c.by.get("safety", {}).items():
        pulse_id, opens, closes, field_name = key.split("|")
        pulses[f"{pulse_id}|{opens}|{closes}"][field_name] = found
    if not pulses:
        section.empty = "No pulse has closed in this period yet."
        return section
    latest_bars: list[charts.Row] = []
    for index, (pulse_key, items) in enumerate(
        sorted(pulses.items(), key=lambda kv: kv[0].split("|")[1], reverse=True)
    ):
        _, opens, closes = pulse_key.split("|")
        first, last = date.fromisoformat(opens), date.fromisoformat(closes)
        caption = f"Pulse open {first:%-d %b %Y} to {last:%-d %b %Y}"
        rows: list[list[str]] = []
        for item in SAFETY_ITEMS:
            cell = items.get(item.field)
            if cell is None:
                continue
            if c.hidden(cell) or cell.people == 0:
                mark = c.mark(cell) if c.hidden(cell) else "no answers"
                rows.append([item.short, mark, mark, mark])
                if index == 0:
                    latest_bars.append(charts.Row(item.short, None, None, mark))
                continue
            n = int(cell.people)
            agree = cell.value2 / n
            interval = stats.wilson(int(cell.value2), n)
            rows.append(
                [
                    item.short,
                    _int(n),
                    f"{cell.value / n:.2f}",
                    f"{_pct(agree)} ({_pct_ci(interval)})",
                ]
            )
            if index == 0:
                latest_bars.append(charts.Row(item.short, agree, interval, _pct(agree)))
        section.tables.append(
            Table(
                f"safety-{index}",
                caption,
                ["Statement", "Answers", "Mean (1-5)", "Agree or strongly agree (95% CI)"],
                rows,
            )
        )
    section.chart = charts.bars(
        "safety",
        "Share agreeing with each statement, latest closed pulse",
        "One bar per statement with its 95% Wilson interval. The same numbers are in the "
        "first table.",
        latest_bars,
    )
    section.chart_note = (
        "Each bar is the share of people who agreed or strongly agreed with a statement in "
        "the most recent closed pulse. It shows how the group feels on average; it cannot show "
        "how any one person feels, and a small group's interval is wide."
    )
    return section
