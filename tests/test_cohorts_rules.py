"""The rules of cohorts: enrolment, run-of-show, attendance windows, an anonymous pulse with
its thresholds, and reminders sent exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts import reminders, services
from bridgework.cohorts.models import (
    Attendance,
    FacilitatorNote,
    Membership,
    PulseAnswer,
    PulseResponse,
    RunItem,
    Session,
    SessionReminder,
)

from .cohorts_support import add_members, courage_module, make_cohort
from .conftest import Cast

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")


def session_starting(
    cast: Cast,
    delta: timedelta,
    members: list[Person] | None = None,
    name: str = "Courage circle",
) -> Session:
    start = timezone.now() + delta
    # Its members joined the day before it.
    with time_machine.travel(start - timedelta(days=1)):
        cohort = make_cohort(
            cast.facilitator,
            [cast.participant] if members is None else members,
            start=start.date(),
            zone="UTC",
            sessions=1,
            name=name,
        )
    session = cohort.sessions.get()
    session.starts_at = start
    session.save(update_fields=["starts_at"])
    return session


# --- run-of-show ---------------------------------------------------------------------------


def test_the_run_of_show_is_built_from_the_module(cast: Cast, organisation: Organisation) -> None:
    module = courage_module(organisation)
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), module=module)
    first = cohort.sessions.order_by("number").first()
    assert first is not None
    kinds = [item.kind for item in first.items.all()]
    assert kinds == [
        "gratitude",
        "agreements",
        "question",
        "question",
        "question",
        "exercise",
        "commitments",
    ]
    assert sum(item.minutes for item in first.items.all()) == 5 + 5 + 30 + 30 + 10
    # Sessions beyond the chosen modules start with the framing only.
    last = cohort.sessions.order_by("number").last()
    assert last is not None and last.module is None
    assert [i.kind for i in last.items.all()] == ["gratitude", "agreements", "commitments"]


def test_items_move_up_and_down_and_stay_numbered(cast: Cast) -> None:
    session = session_starting(cast, timedelta(days=3))
    first, second, third = session.items.all()
    services.move_item(item=second, direction="up")
    assert list(session.items.all()) == [second, first, third]
    services.move_item(item=second, direction="up")  # already first: nothing happens
    services.move_item(item=first, direction="down")
    assert list(session.items.all()) == [second, third, first]
    added = services.add_item(session=session, title="Break", minutes=5)
    services.remove_item(item=third)
    assert [i.position for i in session.items.all()] == [1, 2, 3]
    assert list(session.items.all())[-1] == added


def test_facilitator_notes_are_encrypted_at_rest(cast: Cast) -> None:
    session = session_starting(cast, timedelta(days=3))
    services.save_note(session=session, author=cast.facilitator, text="Ask Sam first")
    with connection.cursor() as cursor:
        cursor.execute("SELECT text FROM cohorts_facilitatornote")
        [(raw,)] = cursor.fetchall()
    assert "Ask Sam" not in str(raw)
    assert FacilitatorNote.objects.get().text == "Ask Sam first"
    assert services.note_for(session=session, author=cast.program_admin) == ""


# --- enrolment -----------------------------------------------------------------------------


def test_a_request_to_join_an_open_cohort_waits_for_a_facilitator(cast: Cast) -> None:
    session = session_starting(cast, timedelta(days=3))
    cohort = session.cohort
    with pytest.raises(ValidationError):
        services.request_to_join(cohort=cohort, person=cast.group_member)
    cohort.open_to_join = True
    cohort.save()
    request = services.request_to_join(cohort=cohort, person=cast.group_member)
    assert request.status == Membership.Status.REQUESTED
    assert cast.client("group_member").get(f"/cohorts/sessions/{session.pk}/").status_code == 404
    request.decide(approve=True)
    assert cast.client("group_member").get(f"/cohorts/sessions/{session.pk}/").status_code == 200


def test_bulk_enrolment_reports_each_bad_line(cast: Cast) -> None:
    session = session_starting(cast, timedelta(days=3))
    client = cast.client("facilitator")
    response = client.post(
        f"/cohorts/{session.cohort_id}/enrol",
        {"emails": "gus@acme.test\nnot-an-address\n\nsid@globex.test"},
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "Line 2:" in text and "Line 4:" in text and "Line 1:" not in text
    assert not Membership.objects.filter(person=cast.group_member).exists()
    response = client.post(
        f"/cohorts/{session.cohort_id}/enrol",
        {"emails": "GUS@acme.test\n", "people": [cast.participant_and_member.pk]},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(cohort=session.cohort, status="member").count() == 3


# --- attendance ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes_from_start", "open_"),
    [(-16, False), (-15, True), (0, True), (89, True), (90, True), (91, False)],
)
def test_self_check_in_is_open_from_15_minutes_before_until_the_end(
    cast: Cast, minutes_from_start: int, open_: bool
) -> None:
    session = session_starting(cast, timedelta(days=2))
    now = session.starts_at + timedelta(minutes=minutes_from_start)
    if open_:
        services.self_check_in(session=session, person=cast.participant, now=now)
        assert Attendance.objects.get().source == Attendance.Source.SELF
    else:
        with pytest.raises(ValidationError):
            services.self_check_in(session=session, person=cast.participant, now=now)


def test_only_members_check_in_and_facilitators_mark_the_rest(cast: Cast) -> None:
    session = session_starting(cast, timedelta(minutes=5))
    with pytest.raises(ValidationError):
        services.self_check_in(session=session, person=cast.group_member)
    response = cast.client("participant").post(f"/cohorts/sessions/{session.pk}/check-in")
    assert response.status_code == 302
    assert Attendance.objects.get(person=cast.participant).status == "present"
    services.mark_attendance(
        session=session,
        marks={cast.participant.pk: "absent", cast.group_member.pk: "present"},
    )
    assert Attendance.objects.get(person=cast.participant).status == "absent"
    assert not Attendance.objects.filter(person=cast.group_member).exists()


def test_a_facilitator_marks_everyone_not_marked_yet_present_in_one_go(
    cast: Cast, organisation: Organisation
) -> None:
    session = session_starting(cast, timedelta(minutes=5))
    others = add_members(organisation, 3)
    services.enrol(cohort=session.cohort, people=others)
    services.mark_attendance(session=session, marks={others[0].pk: "absent"})
    form = {f"person_{others[0].pk}": "absent", f"person_{others[1].pk}": "absent"}

    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/attendance", {**form, "unmarked": "present"}
    )

    assert response.status_code == 302
    marked = dict(Attendance.objects.filter(session=session).values_list("person__email", "status"))
    assert marked == {
        cast.participant.email: "present",
        others[0].email: "absent",
        others[1].email: "absent",
        others[2].email: "present",
    }


# --- pulse ---------------------------------------------------------------------------------


def answer(session: Session, people: list[Person], line: str = "") -> None:
    """They were there, and answer."""
    services.mark_attendance(session=session, marks={p.pk: "present" for p in people})
    for n, person in enumerate(people):
        assert services.answer_pulse(
            session=session, person=person, useful=1 + n % 5, safe=5, line=line and f"{line} {n}"
        )


def test_the_pulse_answer_has_no_link_to_the_person(cast: Cast) -> None:
    session = session_starting(cast, -timedelta(minutes=100))
    answer(session, [cast.participant], line="More time for questions")
    assert {f.name for f in PulseAnswer._meta.get_fields()} == {
        "id",
        "session",
        "useful",
        "safe",
        "line",
    }
    assert PulseResponse.objects.get().person == cast.participant
    # A second answer from the same person is refused; the first stands.
    assert not services.answer_pulse(session=session, person=cast.participant, useful=1, safe=1)
    assert PulseAnswer.objects.count() == 1


def test_the_pulse_is_for_members_and_only_after_the_start(cast: Cast) -> None:
    upcoming = session_starting(cast, timedelta(hours=1))
    with pytest.raises(ValidationError):
        services.answer_pulse(session=upcoming, person=cast.participant, useful=3, safe=3)
    held = session_starting(cast, -timedelta(hours=2), name="Held")
    with pytest.raises(ValidationError):
        services.answer_pulse(session=held, person=cast.facilitator, useful=3, safe=3)


def test_results_hide_under_5_answers_and_text_under_10(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 12)
    session = session_starting(cast, -timedelta(hours=2), members=people)
    services.mark_attendance(session=session, marks={p.pk: "present" for p in people})
    closed = session.pulse_closes_at + timedelta(minutes=1)
    answer(session, people[:4], line="Good")
    with time_machine.travel(closed):
        summary = services.pulse_summary(session)
        page = cast.client("facilitator").get(f"/cohorts/sessions/{session.pk}/").content
    assert (summary.answered, summary.invited, summary.shown) == (4, 12, False)
    assert summary.useful is None and summary.lines is None
    assert "4 of 12" not in page.decode() and "answers</strong> so far" not in page.decode()
    assert "Good 0" not in page.decode() and "fewer than 5 answers" in page.decode()

    answer(session, people[4:9], line="Good")
    with time_machine.travel(closed):
        summary = services.pulse_summary(session)
        page = cast.client("facilitator").get(f"/cohorts/sessions/{session.pk}/").content
    assert summary.shown and summary.answered == 9
    assert summary.lines is None
    assert "How safe it felt to speak" in page.decode() and "Good 0" not in page.decode()

    answer(session, people[9:10], line="Good")
    with time_machine.travel(closed):
        summary = services.pulse_summary(session)
        page = cast.client("facilitator").get(f"/cohorts/sessions/{session.pk}/").content
    assert summary.lines is not None and len(summary.lines) == 10
    assert summary.lines == sorted(summary.lines)
    assert "Good 0" in page.decode()


# --- reminders -----------------------------------------------------------------------------


def test_a_reminder_goes_out_once_per_person_and_session(cast: Cast) -> None:
    session = session_starting(cast, timedelta(hours=5))
    assert reminders.plan() == 2  # the member and the facilitator
    assert len(mail.outbox) == 2
    assert {m.to[0] for m in mail.outbox} == {cast.participant.email, cast.facilitator.email}
    assert "Courage circle" in mail.outbox[0].subject
    assert reminders.plan() == 0
    assert not reminders.deliver(session.pk, cast.participant.pk)
    assert len(mail.outbox) == 2
    assert SessionReminder.objects.filter(sent_at__isnull=False).count() == 2


def test_no_reminder_for_a_session_moved_away_or_a_person_who_left(cast: Cast) -> None:
    session = session_starting(cast, timedelta(hours=5))
    later = session.starts_at + timedelta(days=10)
    Session.objects.filter(pk=session.pk).update(starts_at=later)
    assert not reminders.deliver(session.pk, cast.participant.pk, now=timezone.now())
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() + timedelta(hours=2))
    SessionReminder.objects.all().delete()
    Membership.objects.filter(person=cast.participant).delete()
    assert not reminders.deliver(session.pk, cast.participant.pk, now=timezone.now())
    assert reminders.deliver(session.pk, cast.facilitator.pk, now=timezone.now())
    assert [m.to for m in mail.outbox] == [[cast.facilitator.email]]


def test_the_worker_plans_session_reminders_periodically(settings: object) -> None:
    assert ("bridgework.cohorts.tasks.plan_session_reminders", 300) in settings.PERIODIC_TASKS  # type: ignore[attr-defined]


def test_run_items_only_come_from_their_session(cast: Cast) -> None:
    one = session_starting(cast, timedelta(days=3))
    item = RunItem.objects.filter(session=one).first()
    assert item is not None
    other = make_cohort(cast.facilitator, start=timezone.localdate(), name="Other", sessions=1)
    two = other.sessions.get()
    client = cast.client("facilitator")
    assert client.post(f"/cohorts/sessions/{two.pk}/plan/{item.pk}/remove").status_code == 404
