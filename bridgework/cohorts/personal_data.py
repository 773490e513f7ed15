"""The cohorts app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import (
    Attendance,
    CalendarFeed,
    Cohort,
    FacilitatorNote,
    Membership,
    OncePresent,
    PulseResponse,
    SessionReminder,
)


def _cohorts(person: Person) -> dict[str, Any]:
    notes = (
        FacilitatorNote.objects.filter(author=person)
        .select_related("session__cohort")
        .order_by("session__starts_at", "pk")
    )
    attendance = (
        Attendance.objects.filter(person=person)
        .select_related("session__cohort")
        .order_by("session__starts_at", "pk")
    )
    memberships = Membership.objects.filter(person=person).select_related("cohort")
    return {
        "cohorts": {
            "memberships": [
                {"cohort": m.cohort.name, "status": m.get_status_display()}
                for m in memberships.order_by("cohort__name")
            ],
            "attendance": [
                {
                    "cohort": a.session.cohort.name,
                    "session": a.session.number,
                    "starts_at": when(a.session.starts_at),
                    "status": a.get_status_display(),
                }
                for a in attendance
            ],
            # A facilitator's own notes, which no co-facilitator can read either.
            "session_notes": [
                {
                    "cohort": note.session.cohort.name,
                    "session": note.session.number,
                    "starts_at": when(note.session.starts_at),
                    "text": note.text,
                    "updated_at": when(note.updated_at),
                }
                for note in notes
                if note.text
            ],
        }
    }


EXPORT = ExportSection(
    app="cohorts",
    template="cohorts/my_data_export.html",
    covers=(FacilitatorNote, Membership, Attendance),
    build=_cohorts,
)
# A person's notes, memberships, attendance (and that they were once marked present), calendar
# feed and reminders go with them. That
# someone answered a pulse stays, without them (see PulseResponse), and what they answered
# never named them. A cohort they created or led stays, without them.
ERASURE = Erasure(
    app="cohorts",
    covers=(
        FacilitatorNote,
        Membership,
        Attendance,
        OncePresent,
        PulseResponse,
        CalendarFeed,
        SessionReminder,
        Cohort,
    ),
)
