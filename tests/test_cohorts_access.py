"""Who runs a cohort: its facilitators while they hold the facilitator role, and program
admins. And odd input to cohort pages gets a clear answer, never a server error."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from bridgework.accounts.models import Role
from bridgework.cohorts import reminders
from bridgework.cohorts.models import Cohort, Session
from bridgework.cohorts.services import person_calendar
from bridgework.insights.services import may_run_pulse

from .cohorts_support import make_cohort
from .conftest import Cast
from .test_authorization import (
    MATRIX,
    all_routes,
    example_path,
    sample_values,  # noqa: F401  (a fixture used below)
)

HUGE = "99999999999999999999999"


def led_pages() -> list[tuple[str, str, str]]:
    """Every cohort page and action the sample cohort's facilitator may use as its facilitator
    but not as a member: everyone else outside the cohort gets a 404 there."""
    found = []
    for route, name in all_routes():
        for method, rule in MATRIX.get(name, {}).items():
            facilitator = rule.outcome("facilitator")
            if (
                name.startswith("cohort")
                and rule.outcome("group_member") == 404
                and isinstance(facilitator, int)
                and facilitator != 404
            ):
                found.append((method, route, name))
    return found


def test_every_led_page_is_found_by_the_walk() -> None:
    names = {name for _, _, name in led_pages()}
    assert {"cohort_settings", "cohort_attendance", "cohort_notes", "cohort"} <= names
    assert {"cohort_enrol", "cohort_membership", "cohort_facilitate"} <= names


def test_a_facilitator_who_loses_the_role_gets_a_404_on_every_cohort_page(
    cast: Cast, request: pytest.FixtureRequest
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    cast.facilitator.set_roles({Role.PARTICIPANT})
    client = cast.client("facilitator")
    wrong = []
    for method, route, name in led_pages():
        path = example_path(route, values)
        with transaction.atomic():
            response = client.generic(method, path, follow=False)
            transaction.set_rollback(True)
        if response.status_code != 404:
            wrong.append(f"{method} {path} ({name}): {response.status_code}")
    assert wrong == []
    assert "Tuesday circle" not in client.get("/cohorts/").content.decode()


def test_the_rule_is_the_same_for_cohorts_sessions_calendars_and_pulses(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate())
    assert cohort.can_manage(cast.facilitator)
    cast.facilitator.set_roles({Role.PARTICIPANT})
    facilitator = type(cast.facilitator).objects.get(pk=cast.facilitator.pk)
    assert not cohort.can_manage(facilitator)
    assert not Cohort.objects.managed_by(facilitator).exists()
    assert not Cohort.objects.visible_to(facilitator).exists()
    assert not Session.objects.for_person(facilitator).exists()
    assert b"Courage circle" not in person_calendar(facilitator)
    assert not may_run_pulse(facilitator, cohort)
    # Program admins run every cohort of their organisation, and the member still sees it.
    assert cohort.can_manage(cast.program_admin)
    assert Cohort.objects.visible_to(cast.participant).get() == cohort


# --- odd input ----------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["²", "٣", "9" * 5000, "-1", ""])
def test_an_odd_step_falls_back_to_the_first(cast: Cast, step: str) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate())
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    client = cast.client("facilitator")
    response = client.get(f"/cohorts/sessions/{session.pk}/facilitate", {"step": step})
    assert response.status_code == 200
    assert "Part 1 of" in response.content.decode()
    saved = client.post(f"/cohorts/sessions/{session.pk}/notes", {"text": "x", "step": step})
    assert saved.status_code == 302
    assert saved["Location"] == f"/cohorts/sessions/{session.pk}/facilitate?step=1"


@pytest.mark.parametrize("token", ["é", "%C3%A9", "\u0660" * 40])
def test_a_calendar_address_with_odd_characters_is_not_found(db: None, token: str) -> None:
    assert Client().get(f"/cohorts/calendar/{token}.ics").status_code == 404


def test_huge_ids_in_choices_get_a_message_next_to_the_field(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), name="Circle")
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    client = cast.client("facilitator")
    posts = {
        "/cohorts/new": [{"facilitators": HUGE}, {"modules": HUGE}, {"members": HUGE}],
        f"/cohorts/{cohort.pk}/settings": [{"facilitators": HUGE}],
        f"/cohorts/{cohort.pk}/enrol": [{"people": HUGE}],
        f"/cohorts/sessions/{session.pk}/edit": [{"module": HUGE}],
    }
    for path, forms in posts.items():
        for data in forms:
            response = client.post(path, {"name": "Circle two", **data})
            assert response.status_code == 400, (path, data)
            [field] = data
            errors = response.context["form" if "enrol" not in path else "enrol_form"].errors
            assert "not one of the available choices" in str(errors[field]), (path, data)


def test_a_facilitator_who_loses_the_role_is_no_longer_reminded(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate())
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    assert cast.facilitator in reminders.people_to_remind(session)
    cast.facilitator.set_roles({Role.PARTICIPANT})
    assert reminders.people_to_remind(session) == [cast.participant]


def test_the_pages_prepared_readings_see_what_the_rule_sees_for_everyone(cast: Cast) -> None:
    """The cohorts pages read cohorts and sessions with prepared queries built from a
    stand-in for the reader (their id, roles and whether they are active): each cast member,
    the deactivated one included, gets exactly what the rule gives them."""
    from datetime import date

    from bridgework.cohorts import queries

    from .conftest import make_person

    assert cast.facilitator.organisation is not None
    gone_admin = make_person(
        cast.facilitator.organisation, "gone@acme.test", "Gone Admin", {Role.PROGRAM_ADMIN}
    )
    gone_admin.deactivate()
    ours = make_cohort(cast.facilitator, [cast.participant], start=date(2026, 1, 6))
    Cohort.objects.filter(pk=ours.pk).update(open_to_join=True)
    closed = make_cohort(cast.facilitator, [], start=date(2026, 1, 6), name="Closed circle")
    session = ours.sessions.order_by("number").first()
    assert session is not None
    for person in (
        cast.participant,
        cast.group_member,
        cast.facilitator,
        cast.program_admin,
        cast.deactivated,
        gone_admin,
        cast.stranger,
    ):
        listed = {c.pk for c in Cohort.objects.listed_for(person)}
        assert {c.pk for c in queries.listed_for(person)[:50]} == listed, person
        for cohort in (ours, closed):
            seen = queries.shown_cohort(person, cohort.pk, manage=False) is not None
            assert seen == Cohort.objects.visible_to(person).filter(pk=cohort.pk).exists()
            runs = queries.shown_cohort(person, cohort.pk, manage=True) is not None
            assert runs == Cohort.objects.managed_by(person).filter(pk=cohort.pk).exists()
        seat = queries.session_with_seat(person, session.pk)
        if person.organisation_id != ours.organisation_id:
            assert seat is None
        else:
            assert seat is not None
            assert seat.managed == ours.can_manage(person), person
            assert seat.member == (person == cast.participant), person
