"""What one view of the dashboard shows: the sum of its released months, nothing live.

A period is the sum of its latest released (closed) months: post-processing of the stored
noisy figures, so it spends nothing and cannot be differenced against a live figure. The page
and the CSV are rendered from the same `Dashboard`; every number carries the scale of its
noise. A number whose noisy count of people is under the threshold (per column: the people
behind that very number) says "too few people to show this reliably" instead.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, gettext_lazy, ngettext

from bridgework.accounts.models import Organisation
from bridgework.cohorts.api import Cohort
from bridgework.curriculum.api import Courage, Practice
from bridgework.lib import noisy_stats
from bridgework.lib.noisy_stats import Noisy

from . import charts, counts
from .mechanism import margin
from .models import PERIOD_MONTHS, Period, Release, ReleasedCohort, ReleasedFigure
from .pulse import ITEMS as SAFETY_ITEMS

TOO_FEW = gettext_lazy("too few people to show this reliably")
# A share whose 95% interval is wider than this says "too few people" instead.
WIDEST_SHARE = 0.5


@dataclass(frozen=True)
class Value:
    """One cell of a table: the text shown, and the noise behind it (for the CSV)."""

    text: str
    scale: float | None = None

    def __str__(self) -> str:
        return self.text


@dataclass
class Table:
    key: str
    caption: str
    headers: list[str]
    rows: list[list[Value]]

    @property
    def shown_rows(self) -> list[tuple[Value, list[Value], bool]]:
        """Each row as its label, its cells and whether every cell says "too few people", so
        the page can say it once across the row rather than in every column."""
        return [
            (label, cells, len(cells) > 1 and all(cell.text == str(TOO_FEW) for cell in cells))
            for label, *cells in self.rows
        ]


@dataclass
class Section:
    key: str
    title: str
    intro: str
    tables: list[Table] = field(default_factory=list)
    chart: SafeString | None = None
    chart_note: str = ""
    empty: str = ""
    wide: bool = True


@dataclass
class Dashboard:
    scope_label: str
    period_label: str
    minimum: int
    months: list[date]
    sections: list[Section]
    # Half the 95% range of the noise on a count of people in one month, at this size.
    people_margin: int = 0
    too_few: bool = False
    not_released: str = ""
    noiseless: bool = False
    released_at: object = None

    def tables(self) -> list[tuple[Section, Table]]:
        return [(s, t) for s in self.sections for t in s.tables]

    @property
    def first_month(self) -> date | None:
        return min(self.months) if self.months else None

    @property
    def last_month(self) -> date | None:
        return max(self.months) if self.months else None


class _Sums:
    """The period's figures of one view: each (measure, key) summed over its months, with the
    variance of its noise (independent months add)."""

    def __init__(self, rows: list[tuple[int, str, str, float, float]], minimum: int) -> None:
        self.value: dict[tuple[str, str], float] = defaultdict(float)
        self.variance: dict[tuple[str, str], float] = defaultdict(float)
        months: dict[str, set[int]] = defaultdict(set)
        for release, measure, key, value, scale in rows:
            self.value[(measure, key)] += value
            self.variance[(measure, key)] += scale * scale
            months[measure].add(release)
        self.months = {m: len(r) for m, r in months.items()}
        self.minimum = minimum
        self.too_few = False

    def has(self, measure: str) -> bool:
        return self.months.get(measure, 0) > 0

    def noisy(self, measure: str, key: str = "all") -> Noisy:
        return Noisy(self.value[(measure, key)], math.sqrt(self.variance[(measure, key)]))

    def enough(self, measure: str, key: str = "all") -> bool:
        """Whether the noisy count of people behind a number reaches the threshold: in the
        average month (a sum over months counts a person once a month), or in all for counts
        that meet each person once (retention)."""
        people = counts.BY_NAME[counts.BY_NAME[measure].people]
        months = self.months.get(people.name, 0)
        if months == 0:
            return False
        total = self.value[(people.name, key)]
        scale = math.sqrt(self.variance[(people.name, key)])
        if not people.distinct_over_months:
            total, scale = total / months, scale / months
        # Enough people, and a count of them that the noise does not swamp.
        return total >= self.minimum and total > margin(scale)

    def count(self, measure: str, key: str = "all", *, enough: bool | None = None) -> Value:
        shown = self.enough(measure, key) if enough is None else enough
        noisy = self.noisy(measure, key)
        if not shown or not _useful(noisy.value, noisy.scale):
            self.too_few = True
            return Value(str(TOO_FEW), noisy.scale)
        return Value(_plus_minus(max(0, round(noisy.value)), margin(noisy.scale)), noisy.scale)

    def rate(self, part: str, whole: str, key: str = "all", *, both: bool = True) -> Value:
        """A share with its interval, shown only when both its parts are."""
        if not (self.enough(part, key) and (self.enough(whole, key) or not both)):
            self.too_few = True
            return Value(str(TOO_FEW))
        found = noisy_stats.share(self.noisy(part, key), self.noisy(whole, key))
        if found is None:
            return Value("-")
        p, (low, high) = found
        if high - low > WIDEST_SHARE:
            self.too_few = True
            return Value(str(TOO_FEW))
        return Value(_share(p, low, high))

    def mean_of(self, summed: Noisy, count: Noisy, low: float, high: float) -> Value:
        found = noisy_stats.mean(summed, count)
        if found is None:
            self.too_few = True
            return Value(str(TOO_FEW))
        value = min(high, max(low, found))
        spread = math.sqrt(summed.scale**2 + value**2 * count.scale**2) / count.value
        if margin(spread) > (high - low) / 4:
            self.too_few = True
            return Value(str(TOO_FEW))
        return Value(number_format(round(value, 2), 2))

    def rate_of(self, part: Noisy, whole: Noisy) -> Value:
        found = noisy_stats.share(part, whole)
        if found is None or found[1][1] - found[1][0] > WIDEST_SHARE:
            self.too_few = True
            return Value(str(TOO_FEW))
        p, (low, high) = found
        return Value(_share(p, low, high))

    def mean(self, total: str, n: str, key: str, low: float, high: float) -> Value:
        """A mean rating on a scale from low to high, when the noise leaves it meaningful."""
        if not self.enough(n, key):
            self.too_few = True
            return Value(str(TOO_FEW))
        return self.mean_of(self.noisy(total, key), self.noisy(n, key), low, high)


def _useful(count: float, scale: float) -> bool:
    """A count is shown only when its margin is at most half of it. Beyond that the noise says
    more than the number ("205 ± 188") and invites false comparisons, such as more check-ins
    kept than made; the page says the figure is too uncertain instead."""
    return count > 2 * margin(scale)


def _chart(
    draw: Callable[[str, str, str, list[charts.Row]], SafeString],
    key: str,
    title: str,
    desc: str,
    rows: list[charts.Row],
) -> SafeString | None:
    """A chart, unless none of its rows has a value: a chart of nothing but "too few people"
    says less than the table beside it and only clutters the page."""
    if all(row.value is None for row in rows):
        return None
    return draw(key, title, desc, rows)


def _pct(value: float) -> str:
    return charts.percent(round(100 * value))


def _share(value: float, low: float, high: float) -> str:
    """A share with its 95% interval: "40% (31% to 49%)"."""
    return gettext("%(share)s (%(low)s to %(high)s)") % {
        "share": _pct(value),
        "low": _pct(low),
        "high": _pct(high),
    }


def _ci(low: float, high: float) -> str:
    return gettext("%(low)s to %(high)s") % {
        "low": number_format(round(low, 2), 2),
        "high": number_format(round(high, 2), 2),
    }


def _plus_minus(count: int, spread: float) -> str:
    """A noisy count with half its 95% range: "1,204 ± 12"."""
    grouped = number_format(count, force_grouping=True)
    return f"{grouped} ± {number_format(round(spread), force_grouping=True)}"


def build(
    *,
    organisation: Organisation,
    cohort: Cohort | None,
    period: str,
    minimum: int,
) -> Dashboard:
    """Three queries: the period's releases, whether the cohort is in them, their figures."""
    wanted = PERIOD_MONTHS[Period(period)]
    chosen = Release.objects.filter(organisation=organisation).order_by("-month")
    releases = list(chosen[:wanted] if wanted else chosen)
    ids = [r.pk for r in releases]
    not_released = ""
    if cohort is not None and ids:
        reasons = dict(
            ReleasedCohort.objects.filter(release_id__in=ids, cohort=cohort).values_list(
                "release_id", "reason"
            )
        )
        in_release = [r for r in releases if reasons.get(r.pk) == ""]
        if not in_release:
            latest = reasons.get(ids[0], ReleasedCohort.Reason.SMALL)
            not_released = _refusal(latest, minimum)
        releases = in_release
        ids = [r.pk for r in releases]
    scope = {"cohort": cohort} if cohort else {"cohort__isnull": True}
    rows = list(
        ReleasedFigure.objects.filter(release_id__in=ids, **scope).values_list(
            "release_id", "measure", "key", "value", "scale"
        )
    )
    sums = _Sums(rows, minimum)
    builders = (_participation, _follow_through, _growth, _feedback, _safety)
    sections = [build_section(sums) for build_section in builders] if releases else []
    enrolled = sums.noisy("enrolled")
    months = sums.months.get("enrolled", 0)
    return Dashboard(
        scope_label=cohort.name if cohort else organisation.name,
        period_label=str(Period(period).label),
        minimum=minimum,
        months=[r.month for r in releases],
        sections=sections,
        people_margin=round(margin(enrolled.scale / math.sqrt(months))) if months else 0,
        too_few=sums.too_few,
        not_released=not_released,
        noiseless=any(r.noiseless for r in releases),
        released_at=max((r.created_at for r in releases), default=None),
    )


def _refusal(reason: str, minimum: int) -> str:
    if reason == ReleasedCohort.Reason.CLOSE:
        return ngettext(
            "This cohort is not released: its members differ by fewer than %(minimum)s "
            "person from another group you can see, so comparing the two could single "
            "someone out.",
            "This cohort is not released: its members differ by fewer than %(minimum)s "
            "people from another group you can see, so comparing the two could single "
            "someone out.",
            minimum,
        ) % {"minimum": minimum}
    return ngettext(
        "This cohort is not released: it had fewer than %(minimum)s member at the start of "
        "each month (or none has closed since it began).",
        "This cohort is not released: it had fewer than %(minimum)s members at the start of "
        "each month (or none has closed since it began).",
        minimum,
    ) % {"minimum": minimum}


def _participation(s: _Sums) -> Section:
    section = Section(
        "participation",
        gettext("Participation"),
        gettext(
            "People enrolled and active in an average month of the period (active: made a "
            "commitment, checked in, completed a lesson or attended a session), and what they "
            "did in the whole period."
        ),
    )
    rows = [
        [Value(gettext("Enrolled (a month, on average)")), _average(s, "enrolled"), Value("")],
        [
            Value(gettext("Active (a month, on average)")),
            _average(s, "active"),
            s.rate("active", "enrolled"),
        ],
        [Value(gettext("Lessons completed")), s.count("lessons"), _people(s, "lesson_people")],
        [Value(gettext("Sessions attended")), s.count("attended"), _people(s, "attended_people")],
    ]
    # Complement: enrolled - active describes the inactive; hide "active" when it is a handful.
    inactive = s.noisy("enrolled").value - s.noisy("active").value
    months = max(1, s.months.get("enrolled", 1))
    if s.has("active") and 0.5 <= inactive / months < s.minimum:
        s.too_few = True
        rows[1][1:] = [Value(str(TOO_FEW)), Value(str(TOO_FEW))]
    section.tables.append(
        Table(
            "participation",
            gettext("Participation"),
            [gettext("Measure"), gettext("Number"), gettext("Share or people")],
            rows,
        )
    )
    retention_rows: list[list[Value]] = []
    bars: list[charts.Row] = []
    for k in counts.MONTH_KEYS:
        reached = s.noisy("reached", k)
        if reached.value < 0.5 and not s.enough("reached", k):
            continue
        label = (
            gettext("The month they joined")
            if k == "0"
            else gettext("Month %(number)s after joining") % {"number": k}
        )
        gap = reached.value - s.noisy("retained", k).value
        # Complement: reached - active describing a handful (0 is nobody: fine to show).
        handful = 0.5 <= gap < s.minimum
        if not s.enough("retained", k) or not s.enough("reached", k) or handful:
            s.too_few = True
            retention_rows.append(
                [Value(label), s.count("reached", k), Value(str(TOO_FEW)), Value(str(TOO_FEW))]
            )
            bars.append(charts.Row(label, None, None, str(TOO_FEW)))
            continue
        rate = noisy_stats.share(s.noisy("retained", k), reached)
        share_text = Value("-")
        if rate is not None:
            p, interval = rate
            share_text = Value(_share(p, interval[0], interval[1]))
            bars.append(charts.Row(label, p, interval, _pct(p)))
        retention_rows.append(
            [Value(label), s.count("reached", k), s.count("retained", k), share_text]
        )
    if retention_rows:
        section.tables.append(
            Table(
                "retention",
                gettext("Retention by month since joining (completed months only)"),
                [
                    gettext("Month since joining"),
                    gettext("People who completed it"),
                    gettext("Active that month"),
                    # xgettext:no-python-format
                    gettext("Share (95% interval, noise included)"),
                ],
                retention_rows,
            )
        )
        section.chart = _chart(
            charts.bars,
            "retention",
            gettext("Share of people active, by month since they joined"),
            gettext(
                "Bars show the share of people active in each completed month after joining, "
                "with 95%% intervals (sampling error and noise) as lines. The same numbers are "
                "in the table."
            )
            % {},  # "%%" in the text is a percent sign
            bars,
        )
        section.chart_note = " ".join(
            (
                gettext(
                    "Each bar is the share of people active in that month after joining, among "
                    "the people who completed that month within the period. It shows whether "
                    "people stay engaged; it does not show why anyone stopped."
                ),
                gettext(
                    "Each count has noise of its own, so “active” can come out above "
                    "“completed” (the share then reads 100%%), and a month almost nobody has "
                    "completed yet is left out."
                )
                % {},  # "%%" in the text is a percent sign
            )
        )
    return section


def _average(s: _Sums, measure: str) -> Value:
    months = s.months.get(measure, 0)
    if months == 0:
        return Value("-")
    noisy = s.noisy(measure)
    average, scale = noisy.value / months, noisy.scale / months
    if average < s.minimum or not _useful(average, scale):
        s.too_few = True
        return Value(str(TOO_FEW), scale)
    return Value(_plus_minus(round(average), margin(scale)), scale)


def _people(s: _Sums, measure: str) -> Value:
    months = s.months.get(measure, 0)
    if not months or not s.enough(measure):
        return Value("")
    noisy = s.noisy(measure)
    people = round(noisy.value / months)
    text = ngettext(
        "by about %(count)s person a month", "by about %(count)s people a month", people
    ) % {"count": number_format(people, force_grouping=True)}
    return Value(text, noisy.scale / months)


def _follow_row(s: _Sums, key: str, label: str) -> tuple[list[Value], charts.Row]:
    name = {m: counts.follow_measure(m, key) for m in ("commitments", "check_ins", "kept")}
    made = s.count(name["commitments"], key)
    checked, kept = s.count(name["check_ins"], key), s.count(name["kept"], key)
    share = s.rate(name["kept"], name["check_ins"], key)
    row = [Value(label), made, checked, kept, share]
    if share.text == str(TOO_FEW) or share.text == "-":
        return row, charts.Row(label, None, None, share.text)
    found = noisy_stats.share(s.noisy(name["kept"], key), s.noisy(name["check_ins"], key))
    assert found is not None
    p, interval = found
    return row, charts.Row(label, p, interval, _pct(p))


def _follow_through(s: _Sums) -> Section:
    section = Section(
        key="follow-through",
        title=gettext("Follow-through"),
        intro=gettext(
            "Commitments made and check-ins in the period, by practice and by courage level. "
            "“Kept” counts check-ins answered “done”. Each column is shown only when enough "
            "people are behind it."
        ),
    )
    headers = [
        gettext("Commitments made"),
        gettext("Check-ins"),
        gettext("Kept"),
        # xgettext:no-python-format
        gettext("Share kept (95% interval)"),
    ]
    rows, bars = [], []
    for practice in Practice:
        row, bar = _follow_row(s, str(practice.value), str(practice.label))
        rows.append(row)
        bars.append(bar)
    total_row, _ = _follow_row(s, "all", gettext("All practices"))
    rows.append(total_row)
    section.tables.append(
        Table("by-practice", gettext("By practice"), [gettext("Practice"), *headers], rows)
    )
    courage_rows = [_follow_row(s, f"courage-{c.value}", str(c.label))[0] for c in Courage]
    courage_rows.append(total_row)
    section.tables.append(
        Table(
            "by-courage",
            gettext("By courage level"),
            [gettext("Courage level"), *headers],
            courage_rows,
        )
    )
    section.chart = _chart(
        charts.bars,
        "follow",
        gettext("Share of check-ins answered “done”, by practice"),
        gettext(
            "One bar per practice with its 95%% interval; practices with too few people say so "
            "instead of a bar. The same numbers are in the table."
        )
        % {},  # "%%" in the text is a percent sign
        bars,
    )
    section.chart_note = gettext(
        "Each bar is the share of check-ins in the period that people answered “done”. It "
        "counts check-ins (at most 8 a person a month), not people, and its interval treats "
        "check-ins as independent, so it is too narrow when a few people check in often."
    )
    return section


def _growth(s: _Sums) -> Section:
    section = Section(
        key="growth",
        title=gettext("Growth since baseline"),
        intro=gettext(
            "How often people say they practise each of the seven practices (0 = not this "
            "month, 4 = most days): the change from their first self-assessment to one taken "
            "in the period. Someone assessed in two months of the period counts in both."
        ),
    )
    rows: list[list[Value]] = []
    points: list[charts.Row] = []
    for practice in Practice:
        key, label = str(practice.value), str(practice.label)
        if not s.enough("growth_people", key):
            s.too_few = True
            rows.append([Value(label), Value(str(TOO_FEW)), *[Value("-")] * 4])
            points.append(charts.Row(label, None, None, str(TOO_FEW)))
            continue
        n = s.noisy("growth_people", key)
        change = noisy_stats.paired_change(
            n, s.noisy("growth_change", key), s.noisy("growth_squares", key)
        )
        # The baseline is a 0-4 rating: clipped to it, or "too few" when the noise swamps it.
        baseline = s.mean_of(s.noisy("growth_baseline", key), n, 0, 4)
        if change is None or change.mean_ci is None:
            s.too_few = True
            rows.append(
                [Value(label), s.count("growth_people", key), baseline, Value(str(TOO_FEW))]
                + [Value("-")] * 2
            )
            points.append(charts.Row(label, None, None, str(TOO_FEW)))
            continue
        dz = (
            gettext("%(value)s (%(interval)s)")
            % {"value": number_format(round(change.dz, 2), 2), "interval": _ci(*change.dz_ci)}
            if change.dz is not None and change.dz_ci
            else "-"
        )
        rows.append(
            [
                Value(label),
                s.count("growth_people", key),
                baseline,
                Value(charts.signed(change.mean)),
                Value(_ci(*change.mean_ci)),
                Value(dz),
            ]
        )
        points.append(charts.Row(label, change.mean, change.mean_ci, charts.signed(change.mean)))
    section.tables.append(
        Table(
            "growth",
            gettext("Change from baseline to a later self-rating"),
            [
                gettext("Practice"),
                gettext("People with both"),
                gettext("Mean at baseline"),
                gettext("Mean change"),
                # xgettext:no-python-format
                gettext("95% interval of the change"),
                # xgettext:no-python-format
                gettext("Effect size d_z (95% interval)"),
            ],
            rows,
        )
    )
    section.chart = _chart(
        charts.dots,
        "growth",
        gettext("Mean change in self-rating since baseline, by practice"),
        gettext(
            "A dot for each practice's mean change with its 95%% interval as a line; the "
            "vertical line is no change. The same numbers are in the table."
        )
        % {},  # "%%" in the text is a percent sign
        points,
    )
    section.chart_note = gettext(
        "Intervals cover both the sampling error and the added noise. The change's interval "
        "uses Student's t; d_z (the mean change divided by the spread of the changes) uses "
        "the exact noncentral t interval, widened for the noise. These are self-ratings with "
        "no comparison group: they show what people report, not that the program caused it."
    )
    return section


def _feedback(s: _Sums) -> Section:
    section = Section(
        "feedback",
        gettext("Session feedback"),
        gettext(
            "From the anonymous pulse after each session, counted in the month its pulse closed."
        ),
    )
    if not s.has("feedback_answers"):
        section.empty = gettext("No session feedback has been released for this period.")
        return section
    if not s.enough("feedback_answers"):
        s.too_few = True
        section.empty = gettext("Session feedback: %(too_few)s.") % {"too_few": TOO_FEW}
        return section
    rows = [
        [Value(gettext("Answers")), s.count("feedback_answers")],
        [
            Value(gettext("Mean “useful” (1-5)")),
            s.mean("feedback_useful", "feedback_answers", "all", 1, 5),
        ],
        [
            Value(gettext("Mean “felt safe to speak” (1-5)")),
            s.mean("feedback_safe", "feedback_answers", "all", 1, 5),
        ],
        [
            # xgettext:no-python-format
            Value(gettext("Found it useful (4-5 of 5), 95% interval")),
            s.rate("feedback_good", "feedback_answers"),
        ],
    ]
    section.tables.append(
        Table(
            "feedback",
            gettext("Session feedback"),
            [gettext("Measure"), gettext("Value")],
            rows,
        )
    )
    section.chart_note = gettext(
        "One person answers after each session they attend, so answers are clustered within "
        "people; the interval treats answers as independent and is too narrow when the same "
        "people answer every session."
    )
    return section


def _safety(s: _Sums) -> Section:
    section = Section(
        "safety",
        gettext("Psychological-safety pulse"),
        gettext(
            "Five statements about how safe it feels to speak up, ask and try things in the "
            "group (after Edmondson, 1999), from pulses that closed in the period."
        ),
    )
    if not s.has("safety_people") or s.noisy("safety_people").value < 0.5:
        section.empty = gettext("No pulse has closed in this period yet.")
        return section
    if not s.enough("safety_people"):
        s.too_few = True
        section.empty = gettext("Pulse results: %(too_few)s.") % {"too_few": TOO_FEW}
        return section
    n = s.noisy("safety_people")
    rows: list[list[Value]] = []
    bars: list[charts.Row] = []
    for item in SAFETY_ITEMS:
        people = Noisy(n.value, n.scale)
        mean = s.mean_of(s.noisy("safety_sum", item.field), people, 1, 5)
        agree = s.rate_of(s.noisy("safety_agree", item.field), people)
        rows.append([Value(str(item.short)), s.count("safety_people"), mean, agree])
        found = noisy_stats.share(s.noisy("safety_agree", item.field), people)
        if agree.text != str(TOO_FEW) and found is not None:
            p, interval = found
            bars.append(charts.Row(str(item.short), p, interval, _pct(p)))
        else:
            bars.append(charts.Row(str(item.short), None, None, agree.text))
    section.tables.append(
        Table(
            "safety",
            gettext("Answers to the pulses that closed"),
            [
                gettext("Statement"),
                gettext("People who answered"),
                gettext("Mean (1-5)"),
                # xgettext:no-python-format
                gettext("Agree or strongly agree (95% interval)"),
            ],
            rows,
        )
    )
    section.chart = _chart(
        charts.bars,
        "safety",
        gettext("Share agreeing with each statement"),
        # xgettext:no-python-format
        gettext("One bar per statement with its 95% interval. The same numbers are in the table."),
        bars,
    )
    section.chart_note = gettext(
        "Each bar is the share of answers agreeing or strongly agreeing. It shows how the "
        "group feels on average; it cannot show how any one person feels."
    )
    return section
