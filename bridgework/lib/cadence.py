"""Monthly cohort cadences and wall-clock times across time zones. No Django here.

A cohort meets at a local time ("18:00 in Berlin"), not at a UTC instant: the instant moves
by an hour when the clocks change, and the local time does not. So sessions are planned as
local dates and times and turned into aware datetimes one at a time, each with its own offset.
"""

from __future__ import annotations

import calendar
import zoneinfo
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum


class MonthlyRule(StrEnum):
    SAME_WEEKDAY = "same_weekday"  # e.g. the second Tuesday of every month
    SAME_DAY = "same_day"  # e.g. the 14th of every month


def zone(name: str) -> zoneinfo.ZoneInfo:
    """The named zone; a ValueError with a plain sentence when there is no such zone."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not a time zone we know.") from None


def zone_or_utc(name: str) -> zoneinfo.ZoneInfo:
    """The named zone, or UTC when a stored name is no longer valid."""
    try:
        return zone(name)
    except ValueError:
        return zoneinfo.ZoneInfo("UTC")


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def week_of_month(day: date) -> int:
    """1 for the first such weekday of the month, ..., 5 for a fifth one."""
    return (day.day - 1) // 7 + 1


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    """The nth given weekday of a month; nth 5 (or more) means the last one."""
    first = date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    day = 1 + offset + 7 * (min(nth, 5) - 1)
    last_day = calendar.monthrange(year, month)[1]
    while day > last_day:
        day -= 7
    return date(year, month, day)


def monthly_dates(start: date, count: int, rule: MonthlyRule) -> list[date]:
    """`count` meeting dates, one a month, starting with `start` itself.

    Same weekday: the weekday and its week of the month are kept (a start on the fourth
    Thursday gives fourth Thursdays; a start in the fifth week means "the last one", since
    not every month has a fifth). Same day: the 31st falls back to a short month's last day.
    """
    if count < 0:
        raise ValueError("The number of sessions cannot be negative.")
    dates = []
    for n in range(count):
        year, month = _add_months(start.year, start.month, n)
        if rule is MonthlyRule.SAME_WEEKDAY:
            dates.append(nth_weekday(year, month, start.weekday(), week_of_month(start)))
        else:
            dates.append(date(year, month, min(start.day, calendar.monthrange(year, month)[1])))
    return dates


def local_datetime(day: date, at: time, zone_name: str) -> datetime:
    """The aware moment of a wall-clock time on a day in a zone.

    A time the clocks skip (02:30 on a spring-forward night) moves on by the size of the
    gap; a time that happens twice (autumn) is the first of the two.
    """
    tz = zone(zone_name)
    naive = datetime.combine(day, at.replace(tzinfo=None))
    moment = naive.replace(tzinfo=tz, fold=0)
    # Round-trip through UTC: a time in a gap does not survive and comes back shifted.
    return moment.astimezone(UTC).astimezone(tz)


def plan_sessions(
    *, start: date, at: time, zone_name: str, count: int, rule: MonthlyRule
) -> list[datetime]:
    """Aware start times of `count` monthly sessions at the same local time."""
    return [local_datetime(day, at, zone_name) for day in monthly_dates(start, count, rule)]


def in_window(now: datetime, *, start: datetime, minutes: int, early: timedelta) -> bool:
    """True from `early` before the start until the planned end."""
    return start - early <= now <= start + timedelta(minutes=minutes)
