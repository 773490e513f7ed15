"""How long ago something happened, as the community's lists say it: the largest whole unit,
in the reader's language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import translation

from bridgework.lib.ago import time_ago

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("before", "said"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=59), "just now"),
        (timedelta(minutes=1), "1 minute ago"),
        (timedelta(minutes=59, seconds=59), "59 minutes ago"),
        (timedelta(hours=1), "1 hour ago"),
        (timedelta(hours=23, minutes=59), "23 hours ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=2, hours=23), "2 days ago"),
        (timedelta(days=29), "29 days ago"),
        (timedelta(days=30), "1 month ago"),
        (timedelta(days=364), "12 months ago"),
        (timedelta(days=365), "1 year ago"),
        (timedelta(days=3 * 365 + 100), "3 years ago"),
    ],
)
def test_says_the_largest_whole_unit(before: timedelta, said: str) -> None:
    with translation.override("en"):
        assert time_ago(NOW - before, NOW) == said


def test_a_moment_ahead_of_the_clock_is_just_now() -> None:
    with translation.override("en"):
        assert time_ago(NOW + timedelta(minutes=5), NOW) == "just now"


@pytest.mark.parametrize(
    ("language", "one", "three"),
    [
        ("fr", "il y a 1 heure", "il y a 3 heures"),
        ("es", "hace 1 hora", "hace 3 horas"),
    ],
)
def test_speaks_the_readers_language(language: str, one: str, three: str) -> None:
    with translation.override(language):
        assert time_ago(NOW - timedelta(hours=1), NOW) == one
        assert time_ago(NOW - timedelta(hours=3), NOW) == three
        assert time_ago(NOW, NOW) != "just now"
