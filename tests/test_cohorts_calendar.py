"""Calendar invites and feeds, read back with icalendar the way a calendar app reads them."""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from bridgework.accounts import registry
from bridgework.accounts.models import Person
from bridgework.cohorts import services
from bridgework.cohorts.models import CalendarFeed, Session

from .cohorts_support import make_cohort
from .conftest import Cast, on_calendar_edges

# Sessions start from today: each test runs on every day the calendar is awkward.
pytestmark = [pytest.mark.usefixtures("clock"), on_calendar_edges]


def events(body: bytes) -> list[Any]:
    return list(Calendar.from_ical(body).walk("VEVENT"))


def move_to_room_4(session: Session) -> bool:
    """Move the session to 14 April at 18:30 London time, in room 4: whether anything changed."""
    return services.update_session(
        session=session,
        on=date(2026, 4, 14),
        at=time(18, 30),
        time_zone="Europe/London",
        duration_minutes=90,
        location="Room 4",
        video_link="",
        module=None,
    )


def first_session(cast: Cast) -> Session:
    cohort = make_cohort(
        cast.facilitator, [cast.participant], start=timezone.localdate() + timedelta(days=10)
    )
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    return session


def test_an_invite_keeps_its_uid_and_raises_its_sequence_when_the_session_moves(
    cast: Cast,
) -> None:
    session = first_session(cast)
    client = cast.client("participant")
    response = client.get(f"/cohorts/sessions/{session.pk}/invite.ics")
    assert response["Content-Type"].startswith("text/calendar")
    [before] = events(response.content)
    changed = move_to_room_4(session)
    assert changed
    [after] = events(client.get(f"/cohorts/sessions/{session.pk}/invite.ics").content)
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert str(after["LOCATION"]) == "Room 4"
    # Saving without a change keeps the sequence.
    assert not move_to_room_4(session)
    session.refresh_from_db()
    assert session.sequence == 1


def test_the_invite_names_the_zone_and_keeps_local_time_across_dst(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=date(2026, 3, 10))
    body = services.person_calendar(cast.participant, now=cohort.sessions.first().starts_at)  # type: ignore[union-attr]
    calendar: Any = Calendar.from_ical(body)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    starts = [event["DTSTART"] for event in calendar.walk("VEVENT")]
    assert [s.params["TZID"] for s in starts] == ["Europe/London"] * 3
    local = [s.dt for s in starts]
    assert [d.time() for d in local] == [time(18, 0)] * 3
    assert [d.date() for d in local] == [date(2026, 3, 10), date(2026, 4, 14), date(2026, 5, 12)]
    assert [d.utcoffset() for d in local] == [timedelta(0), timedelta(hours=1), timedelta(hours=1)]
    for event in calendar.walk("VEVENT"):
        assert event["DTEND"].dt - event["DTSTART"].dt == timedelta(minutes=90)


def test_a_feed_address_works_until_it_is_revoked_and_only_its_hash_is_stored(
    cast: Cast,
) -> None:
    first_session(cast)
    token = services.create_feed(person=cast.participant)
    assert not CalendarFeed.objects.filter(token_hash=token).exists()
    anonymous = Client()
    response = anonymous.get(f"/cohorts/calendar/{token}.ics")
    assert response.status_code == 200
    assert len(events(response.content)) == 3

    new_token = services.create_feed(person=cast.participant)
    assert anonymous.get(f"/cohorts/calendar/{token}.ics").status_code == 404
    assert anonymous.get(f"/cohorts/calendar/{new_token}.ics").status_code == 200

    cast.client("participant").post("/cohorts/calendar/", {"action": "revoke"})
    assert anonymous.get(f"/cohorts/calendar/{new_token}.ics").status_code == 404


def test_the_feed_page_shows_the_address_once(cast: Cast) -> None:
    client = cast.client("participant")
    shown = client.post("/cohorts/calendar/", {"action": "new"})
    assert b"/cohorts/calendar/" in shown.content and b".ics" in shown.content
    again = client.get("/cohorts/calendar/")
    assert b'.ics"' not in again.content
    assert b"You have a calendar address" in again.content


def test_a_feed_shows_only_the_persons_own_cohorts(cast: Cast) -> None:
    first_session(cast)
    token = services.create_feed(person=cast.group_member)
    assert events(Client().get(f"/cohorts/calendar/{token}.ics").content) == []


def test_a_deactivated_persons_feed_stops(cast: Cast) -> None:
    first_session(cast)
    token = services.create_feed(person=cast.participant)
    Person.objects.filter(pk=cast.participant.pk).update(is_active=False)
    assert Client().get(f"/cohorts/calendar/{token}.ics").status_code == 404


def new_feed_address(client: Client) -> str:
    """Make a new calendar address on the settings page, as a person does: the path shown."""
    page = client.post("/cohorts/calendar/", {"action": "new"}).content.decode()
    found = re.search(r"/cohorts/calendar/[A-Za-z0-9_-]+\.ics", page)
    assert found is not None
    return found.group(0)


def test_deactivating_someone_revokes_their_feed_and_reactivating_does_not_bring_it_back(
    cast: Cast,
) -> None:
    # Accounts never imports cohorts: cohorts registers its step, deactivate() runs it.
    assert services.person_deactivated in registry.deactivation_steps()
    first_session(cast)
    old = new_feed_address(cast.client("participant"))
    anonymous = Client()
    assert anonymous.get(old).status_code == 200
    admin = cast.client("program_admin")

    admin.post(reverse("set_person_active", args=[cast.participant.pk]), {"active": "no"})
    assert not CalendarFeed.objects.filter(person=cast.participant).exists()
    assert anonymous.get(old).status_code == 404

    admin.post(reverse("set_person_active", args=[cast.participant.pk]), {"active": "yes"})
    # The address shared or subscribed before stays refused; they make a new one.
    assert anonymous.get(old).status_code == 404
    assert (
        b"You have a calendar address"
        not in cast.client("participant").get("/cohorts/calendar/").content
    )
    new = new_feed_address(cast.client("participant"))
    assert anonymous.get(new).status_code == 200
    assert anonymous.get(old).status_code == 404
