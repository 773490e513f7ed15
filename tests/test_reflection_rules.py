"""The pure helpers behind Repair and the coffee chat: apology feedback rules and .ics files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bridgework.lib import apology, ics
from bridgework.reflection import charts


def rules_in(**draft: str) -> list[str]:
    return [finding.rule for finding in apology.review(draft)]


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("I'm sorry if anyone was offended by what I said.", "conditional"),
        ("I apologize if that came across wrong.", "conditional"),
        ("I'm sorry you feel that way about the joke.", "their_feelings"),
        ("I am sorry that you were upset.", "their_feelings"),
        ("I said your name wrong, but I meant no harm.", "but"),
        ("I didn't mean it like that.", "but"),
        ("My intention was to be funny.", "but"),
        ("I feel terrible about it and can't sleep.", "centring"),
        ("I'm not racist, you know me.", "centring"),
        ("That\u2019s not who I am.", "centring"),
        ("It was just a joke.", "minimising"),
        ("Maybe people overreacted a little.", "minimising"),
        ("Mistakes were made in that meeting.", "passive"),
        ("Please forgive me so we can get back to work.", "forgiveness"),
    ],
)
def test_each_pitfall_is_found_and_named(text: str, rule: str) -> None:
    assert rule in rules_in(acknowledge=text, do_differently="I will check names first.")


def test_a_clear_apology_gets_no_findings() -> None:
    draft = {
        "what_happened": "I called Dana by another colleague's name in the meeting.",
        "acknowledge": "I called you by the wrong name in front of the team.",
        "own_impact": "It told you I had not taken the time to know you, and that hurt.",
        "do_differently": "I will slow down and check names before I speak.",
        "resume": "If you want to talk about it, I am here to listen.",
    }
    assert apology.review(draft) == []


def test_each_finding_quotes_the_words_and_explains_why() -> None:
    [finding] = [
        f
        for f in apology.review({"own_impact": "Sorry if it hurt.", "acknowledge": "I did it."})
        if f.rule == "conditional"
    ]
    assert finding.part == "own_impact"
    assert finding.quote == "Sorry if"
    assert "if" in finding.message and len(finding.message) > 40


def test_the_private_facts_are_not_judged() -> None:
    """Step 1 is the person's own account; words there are never flagged."""
    assert rules_in(what_happened="I said it was just a joke, but I meant well.") == [
        "missing",
        "missing",
    ]


def test_missing_steps_are_pointed_out_only_once_something_is_written() -> None:
    assert apology.review({}) == []
    missing = {f.part for f in apology.review({"what_happened": "Something."})}
    assert missing == {"acknowledge", "do_differently"}


def test_matching_ignores_case_and_word_fragments() -> None:
    assert "conditional" in rules_in(acknowledge="SORRY IF", do_differently="x")
    # "butter" is not "but"; "ifs" is not "if".
    assert rules_in(acknowledge="I took the butter.", do_differently="x") == []


# --- .ics ----------------------------------------------------------------------------------


def _coffee_chat(start: datetime) -> ics.CalendarEvent:
    return ics.CalendarEvent(
        uid="abc@bridgework",
        sequence=0,
        summary="Coffee chat with Rosa",
        start=start,
        duration=timedelta(minutes=30),
        description="About allyship.",
        location="The café downstairs",
    )


def test_the_invite_parses_back_with_every_detail() -> None:
    start = datetime(2030, 5, 6, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
    body = ics.build_calendar(
        [_coffee_chat(start)], now=datetime(2030, 5, 1, tzinfo=UTC), product="Reflection"
    )
    calendar = Calendar.from_ical(body)
    [event] = calendar.walk("VEVENT")
    assert calendar["VERSION"] == "2.0"
    assert str(event["SUMMARY"]) == "Coffee chat with Rosa"
    assert str(event["LOCATION"]) == "The café downstairs"
    assert str(event["UID"]) == "abc@bridgework"
    assert event.decoded("DTSTART") == start
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=30)
    assert event.decoded("DTSTART").astimezone(UTC).hour == 8


def tzids_used(body: bytes) -> set[str]:
    """Every TZID parameter on any property of any event in the file."""
    calendar = Calendar.from_ical(body)
    found = set()
    for event in calendar.walk("VEVENT"):
        for value in event.values():
            params = getattr(value, "params", {})
            if "TZID" in params:
                found.add(str(params["TZID"]))
    return found


def timezones_defined(body: bytes) -> set[str]:
    return {str(zone["TZID"]) for zone in Calendar.from_ical(body).walk("VTIMEZONE")}


@pytest.mark.parametrize(
    "zones",
    [["Europe/Berlin"], ["America/New_York", "Asia/Kolkata", "America/New_York"], []],
)
def test_every_time_zone_an_invite_uses_is_defined_in_it(zones: list[str]) -> None:
    events = [
        _coffee_chat(datetime(2030, 3, 30 - n, 18, 0, tzinfo=ZoneInfo(zone)))
        for n, zone in enumerate(zones)
    ]

    body = ics.build_calendar(events, now=datetime(2030, 3, 1, tzinfo=UTC), product="Reflection")

    assert tzids_used(body) == set(zones)
    assert timezones_defined(body) == set(zones)


def test_an_invite_in_utc_needs_no_time_zone_definition() -> None:
    body = ics.build_calendar(
        [_coffee_chat(datetime(2030, 3, 4, 9, 0, tzinfo=UTC))],
        now=datetime(2030, 3, 1, tzinfo=UTC),
        product="Reflection",
    )

    [event] = Calendar.from_ical(body).walk("VEVENT")
    assert event.decoded("DTSTART") == datetime(2030, 3, 4, 9, 0, tzinfo=UTC)
    assert tzids_used(body) == set() == timezones_defined(body)


def test_the_invite_refuses_times_without_a_zone() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        ics.build_calendar(
            [_coffee_chat(datetime(2030, 1, 1, 10))],
            now=datetime(2030, 1, 1, tzinfo=UTC),
            product="Reflection",
        )


# --- The social location wheel ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Age", ["Age"]),
        ("Gender identity", ["Gender", "identity"]),
        ("Sexual orientation", ["Sexual", "orientation"]),
        ("Being the only parent on the team", ["Being the", "only parent on…"]),
        ("Neurodivergence-and-more", ["Neurodivergenc…"]),
    ],
)
def test_spoke_names_wrap_into_two_short_lines_at_most(name: str, lines: list[str]) -> None:
    assert charts.label_lines(name) == lines
