"""Calendar invites as .ics files, built with icalendar. No Django here."""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event


def build_invite(
    *,
    uid: str,
    summary: str,
    start: datetime,
    duration: timedelta,
    description: str = "",
    location: str = "",
    now: datetime,
) -> bytes:
    """One event in a calendar file that any calendar app can import.

    `start` and `now` must be time-zone aware, so the event lands at the same moment
    wherever the file is opened.
    """
    if start.tzinfo is None or now.tzinfo is None:
        raise ValueError("Calendar times must be time-zone aware.")
    if duration <= timedelta(0):
        raise ValueError("An event needs a positive duration.")
    calendar = Calendar()
    calendar.add("prodid", "-//Bridgework//Reflection//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("dtend", start + duration)
    event.add("summary", summary)
    if description:
        event.add("description", description)
    if location:
        event.add("location", location)
    calendar.add_component(event)
    return calendar.to_ical()
