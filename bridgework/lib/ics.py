"""Calendar invites as .ics files, built with icalendar. No Django here.

Every file goes through `build_calendar`, so each one carries a VTIMEZONE for every TZID it
uses (RFC 5545 asks for it; strict calendar apps otherwise drop or shift the event)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from icalendar import Calendar, Event


@dataclass(frozen=True)
class CalendarEvent:
    """One meeting for `build_calendar`. `start` is aware in the zone the event should keep,
    so the file says "18:00 Europe/Berlin" (TZID) and stays right across clock changes."""

    uid: str
    sequence: int
    summary: str
    start: datetime
    duration: timedelta
    description: str = ""
    location: str = ""
    url: str = ""


def build_calendar(
    events: Iterable[CalendarEvent], *, now: datetime, name: str = "", product: str = "Cohorts"
) -> bytes:
    """A calendar file (RFC 5545) with one VEVENT per event and a VTIMEZONE per zone used.

    The same UID with a higher SEQUENCE tells calendar apps an event has changed, so an
    updated session replaces the old one instead of appearing twice.
    """
    if now.tzinfo is None:
        raise ValueError("Calendar times must be time-zone aware.")
    calendar = Calendar()
    calendar.add("prodid", f"-//Bridgework//{product}//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    if name:
        calendar.add("x-wr-calname", name)
    for item in events:
        if item.start.tzinfo is None:
            raise ValueError("Calendar times must be time-zone aware.")
        if item.duration <= timedelta(0):
            raise ValueError("An event needs a positive duration.")
        event = Event()
        event.add("uid", item.uid)
        event.add("sequence", item.sequence)
        event.add("dtstamp", now.astimezone(UTC))
        event.add("dtstart", item.start)
        event.add("dtend", item.start + item.duration)
        event.add("summary", item.summary)
        if item.description:
            event.add("description", item.description)
        if item.location:
            event.add("location", item.location)
        if item.url:
            event.add("url", item.url)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    body: bytes = calendar.to_ical()
    return body
