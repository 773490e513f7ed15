"""Monthly cadences and wall-clock times across daylight-saving changes."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bridgework.lib.cadence import (
    MonthlyRule,
    local_datetime,
    monthly_dates,
    plan_sessions,
    week_of_month,
)

DST_ZONES = ["Europe/London", "Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC"]
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2035, 12, 31))
# Evening times, away from the 01:00-03:00 changeover hours, must always survive exactly.
evening = st.times(min_value=time(8, 0), max_value=time(22, 59)).map(
    lambda t: t.replace(second=0, microsecond=0)
)


@given(start=starts, count=st.integers(1, 24), zone=st.sampled_from(DST_ZONES), at=evening)
def test_same_weekday_sessions_keep_weekday_and_local_time(
    start: date, count: int, zone: str, at: time
) -> None:
    sessions = plan_sessions(
        start=start, at=at, zone_name=zone, count=count, rule=MonthlyRule.SAME_WEEKDAY
    )
    assert len(sessions) == count
    assert sessions[0].date() == start
    for n, moment in enumerate(sessions):
        assert moment.weekday() == start.weekday()
        assert moment.time() == at  # the wall clock does not move with DST
        assert str(moment.tzinfo) == zone
        expected_month = (start.month - 1 + n) % 12 + 1
        assert moment.month == expected_month
        nth = week_of_month(start)
        if nth < 5:
            assert week_of_month(moment.date()) == nth
        else:  # "fifth" means the last one of the month
            assert (moment.date() + timedelta(days=7)).month != moment.month
    assert all(a < b for a, b in itertools.pairwise(sessions))


@given(start=starts, count=st.integers(1, 24))
def test_same_day_sessions_clamp_to_short_months(start: date, count: int) -> None:
    for day in monthly_dates(start, count, MonthlyRule.SAME_DAY):
        if day.day != start.day:
            assert day.day < start.day
            assert (day + timedelta(days=1)).month != day.month  # the month's last day


@given(start=starts, zone=st.sampled_from(DST_ZONES), at=evening)
def test_utc_offset_changes_but_local_time_does_not(start: date, zone: str, at: time) -> None:
    sessions = plan_sessions(
        start=start, at=at, zone_name=zone, count=12, rule=MonthlyRule.SAME_DAY
    )
    offsets = {s.utcoffset() for s in sessions}
    if zone != "UTC":
        assert len(offsets) == 2  # a year of meetings spans both summer and winter time
    for moment in sessions:
        back = moment.astimezone(UTC).astimezone(moment.tzinfo)
        assert (back.date(), back.time()) == (moment.date(), moment.time())


def test_london_18_00_is_17_00_utc_in_summer_and_18_00_in_winter() -> None:
    [march, april] = plan_sessions(
        start=date(2026, 3, 10),
        at=time(18, 0),
        zone_name="Europe/London",
        count=2,
        rule=MonthlyRule.SAME_WEEKDAY,
    )
    assert march.astimezone(UTC) == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
    assert april.date() == date(2026, 4, 14)  # second Tuesday again
    assert april.astimezone(UTC) == datetime(2026, 4, 14, 17, 0, tzinfo=UTC)


def test_a_time_the_clocks_skip_moves_forward_by_the_gap() -> None:
    moment = local_datetime(date(2026, 3, 29), time(1, 30), "Europe/London")
    assert moment.time() == time(2, 30)
    assert moment.utcoffset() == timedelta(hours=1)


def test_a_fifth_weekday_start_means_the_last_one_each_month() -> None:
    dates = monthly_dates(date(2026, 1, 29), 3, MonthlyRule.SAME_WEEKDAY)  # 5th Thursday
    assert dates == [date(2026, 1, 29), date(2026, 2, 26), date(2026, 3, 26)]
