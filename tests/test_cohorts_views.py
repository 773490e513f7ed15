"""Cohort pages as people use them, and query counts that stay flat as cohorts grow."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from django.utils import timezone
from django.utils.html import escape

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts import services
from bridgework.cohorts.models import Cohort, Membership, RunItem, Session

from .cohorts_support import NEW_COHORT, add_members, courage_module, make_cohort
from .conftest import Cast, CountQueries, make_person

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")


def test_a_facilitator_creates_a_monthly_cohort(cast: Cast, organisation: Organisation) -> None:
    module = courage_module(organisation)
    client = cast.client("facilitator")
    assert client.get("/cohorts/new").status_code == 200
    response = client.post(
        "/cohorts/new",
        {
            **NEW_COHORT,
            "modules": [module.pk],
            "members": [cast.participant.pk, cast.participant_and_member.pk],
        },
    )
    cohort = Cohort.objects.get(name="Spring circle")
    assert response.status_code == 302 and response["Location"] == f"/cohorts/{cohort.pk}/"
    assert list(cohort.facilitators.all()) == [cast.facilitator]
    sessions = list(cohort.sessions.all())
    assert [s.local_date.isoformat() for s in sessions] == [
        "2030-03-12",
        "2030-04-09",
        "2030-05-14",
        "2030-06-11",
    ]
    assert {s.local_time.isoformat() for s in sessions} == {"17:30:00"}
    assert sessions[0].module == module and sessions[1].module is None
    page = cast.client("participant").get("/cohorts/").content.decode()
    assert "Spring circle" in page


def test_the_calendar_link_is_offered_to_people_with_a_cohort_only(cast: Cast) -> None:
    calendar = "Add your sessions to your own calendar"
    assert calendar not in cast.client("participant").get("/cohorts/").content.decode()
    make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate())
    assert calendar in cast.client("participant").get("/cohorts/").content.decode()
    assert calendar in cast.client("facilitator").get("/cohorts/").content.decode()


def test_a_duplicate_name_and_bad_input_get_messages_not_errors(cast: Cast) -> None:
    make_cohort(cast.facilitator, start=timezone.localdate(), name="Circle")
    response = cast.client("facilitator").post(
        "/cohorts/new", {"name": "circle", "session_count": "99", "start_date": "soon"}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "already a cohort with this name" in text


def test_participants_cannot_start_cohorts(cast: Cast) -> None:
    assert cast.client("participant").get("/cohorts/new").status_code == 403


def test_a_facilitator_renames_a_cohort_and_hands_it_over(
    cast: Cast, organisation: Organisation
) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), name="Circle")
    other = make_person(
        organisation, "lee@acme.test", "Lee Park", {Role.FACILITATOR, Role.PARTICIPANT}
    )
    client = cast.client("facilitator")
    assert "Cohort settings" in client.get(f"/cohorts/{cohort.pk}/").content.decode()

    response = client.post(
        f"/cohorts/{cohort.pk}/settings",
        {"name": "Courage circle", "description": "Monthly.", "facilitators": [other.pk]},
    )

    assert response.status_code == 302
    cohort.refresh_from_db()
    assert cohort.name == "Courage circle" and not cohort.open_to_join
    assert list(cohort.facilitators.all()) == [other]
    # Handed over: the former facilitator no longer runs it.
    assert client.get(f"/cohorts/{cohort.pk}/settings").status_code == 404


def test_cohort_settings_explain_what_is_wrong(cast: Cast) -> None:
    make_cohort(cast.facilitator, start=timezone.localdate(), name="Taken")
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), name="Circle")
    response = cast.client("facilitator").post(
        f"/cohorts/{cohort.pk}/settings", {"name": " taken ", "facilitators": []}
    )
    assert response.status_code == 400
    text = response.content.decode()
    assert "already a cohort with this name" in text
    assert "Choose at least one facilitator." in text
    cohort.refresh_from_db()
    assert cohort.name == "Circle"


def test_adding_a_session_follows_the_cohorts_cadence(
    cast: Cast, organisation: Organisation
) -> None:
    module = courage_module(organisation)
    cohort = services.create_cohort(
        organisation=organisation,
        created_by=cast.facilitator,
        name="Last Thursdays",
        start_date=date(2030, 1, 31),  # the fifth Thursday: "the last Thursday"
        start_time=time(18, 0),
        time_zone="Europe/London",
        session_count=2,
        modules=[],
        facilitators=[cast.facilitator],
    )
    cohort.modules.add(module)

    response = cast.client("facilitator").post(f"/cohorts/{cohort.pk}/sessions/add")

    added = cohort.sessions.get(number=3)
    assert response.status_code == 302
    assert response["Location"] == f"/cohorts/sessions/{added.pk}/edit"
    assert added.local_date == date(2030, 3, 28) and added.local_time == time(18, 0)
    assert added.module == module and added.items.exists()
    assert cast.client("participant").post(f"/cohorts/{cohort.pk}/sessions/add").status_code == 404


def test_the_run_of_show_moves_with_htmx_and_without(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    first, second, _ = session.items.all()
    client = cast.client("facilitator")
    plain = client.post(f"/cohorts/sessions/{session.pk}/plan/{second.pk}/move/up")
    assert plain.status_code == 302
    swapped = client.post(
        f"/cohorts/sessions/{session.pk}/plan/{second.pk}/move/down", HTTP_HX_REQUEST="true"
    )
    assert swapped.status_code == 200
    text = swapped.content.decode()
    assert 'id="run-of-show"' in text and "<html" not in text
    assert "Moved “How we look after each other here” down." in text
    assert list(session.items.all())[:2] == [first, second]


def test_moving_a_part_removed_since_the_page_was_shown_shows_the_plan_as_it_is_now(
    cast: Cast,
) -> None:
    """Not nothing at all (htmx swaps no 404) and not a 404 page: the plan, and why."""
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    first, second, third = session.items.all()
    removed = second.pk
    second.delete()
    client = cast.client("facilitator")
    url = f"/cohorts/sessions/{session.pk}/plan/{removed}/move/up"

    swapped = client.post(url, HTTP_HX_REQUEST="true")

    text = swapped.content.decode()
    assert swapped.status_code == 200
    assert text.lstrip().startswith('<div id="run-of-show"') and "<html" not in text
    assert "That part is no longer in the plan." in text
    assert f'id="up-{third.pk}"' in text and f'id="up-{removed}"' not in text

    plain = client.post(url, follow=True)
    assert plain.redirect_chain == [(f"/cohorts/sessions/{session.pk}/plan", 302)]
    assert "That part is no longer in the plan." in plain.content.decode()
    assert list(session.items.all()) == [first, third]


def test_removing_a_part_of_the_run_of_show_asks_first(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    first = session.items.first()
    assert first is not None
    client = cast.client("facilitator")
    remove = f"/cohorts/sessions/{session.pk}/plan/{first.pk}/remove"
    plan = client.get(f"/cohorts/sessions/{session.pk}/plan").content.decode()
    assert f'href="{remove}"' in plan

    asked = client.get(remove).content.decode()
    assert "Its notes go with it" in asked
    assert session.items.filter(pk=first.pk).exists()

    client.post(remove)
    assert not session.items.filter(pk=first.pk).exists()


def test_the_total_time_is_compared_with_the_session_length(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    client = cast.client("facilitator")
    assert (
        "70 minutes to spare" in client.get(f"/cohorts/sessions/{session.pk}/plan").content.decode()
    )
    client.post(f"/cohorts/sessions/{session.pk}/plan", {"title": "Long talk", "minutes": "80"})
    page = client.get(f"/cohorts/sessions/{session.pk}/plan").content.decode()
    assert "100 of 90 minutes planned" in page and "10 minutes over" in page


def test_the_facilitate_view_steps_through_items_and_degrades_without_js(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    client = cast.client("facilitator")
    page = client.get(f"/cohorts/sessions/{session.pk}/facilitate?step=2").content.decode()
    assert "Part 2 of 3" in page and "Planned: 5 minutes" in page
    assert 'src="/static/js/cohort-timer.js"' in page and "<script>" not in page
    client.post(f"/cohorts/sessions/{session.pk}/notes", {"text": "Warm room", "step": "2"})
    assert "Warm room" in client.get(f"/cohorts/sessions/{session.pk}/facilitate").content.decode()
    admin_view = cast.client("program_admin").get(f"/cohorts/sessions/{session.pk}/facilitate")
    assert "Warm room" not in admin_view.content.decode()


def test_the_handout_lists_questions_and_prompts(cast: Cast, organisation: Organisation) -> None:
    module = courage_module(organisation)
    cohort = make_cohort(
        cast.facilitator, [cast.participant], start=timezone.localdate(), module=module
    )
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    page = cast.client("participant").get(f"/cohorts/sessions/{session.pk}/handout").content
    assert b"Question 1?" in page and b"When did you hold back?" in page


def test_a_cohort_whose_sessions_are_all_held_says_what_comes_next(cast: Cast) -> None:
    cohort = make_cohort(
        cast.facilitator, [cast.participant], start=date(2020, 1, 7), sessions=1, name="Past"
    )
    facilitator = cast.client("facilitator").get("/cohorts/").content.decode()
    assert "No more sessions planned." in facilitator
    assert f'href="/cohorts/{cohort.pk}/#sessions-heading">Add the next one' in facilitator
    member = cast.client("participant").get("/cohorts/").content.decode()
    assert "the cohort's facilitators add the next one" in escape_free(member)
    # A session that has ended is no longer offered for anyone's calendar.
    held = cohort.sessions.get()
    page = cast.client("participant").get(f"/cohorts/sessions/{held.pk}/").content.decode()
    assert "Add to my calendar" not in page and "Handout" in page


def escape_free(html: str) -> str:
    return html.replace("&#x27;", "'").replace("&#39;", "'")


def test_an_edited_session_gets_a_new_module_and_run_of_show(
    cast: Cast, organisation: Organisation
) -> None:
    module = courage_module(organisation)
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/edit",
        {
            "on": "2031-01-07",
            "at": "09:00",
            "time_zone": "America/New_York",
            "duration_minutes": "120",
            "location": "Room 2",
            "video_link": "meet.example.com/abc",
            "module": module.pk,
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.local_start.isoformat() == "2031-01-07T09:00:00-05:00"
    assert session.video_link == "https://meet.example.com/abc"
    assert session.sequence == 1
    assert RunItem.objects.filter(session=session, kind="question").count() == 3


def test_a_session_s_length_and_video_link_are_explained_in_plain_words(cast: Cast) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/edit",
        {
            "on": "2031-01-07",
            "at": "09:00",
            "time_zone": "Europe/London",
            "duration_minutes": "5",
            "video_link": "not a link",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "A session lasts from 15 to 480 minutes (eight hours)." in page
    assert "Enter the video call&#x27;s whole address, such as https://meet.example.com" in page


# --- query counts --------------------------------------------------------------------------


def grow(cast: Cast, organisation: Organisation, people: int, sessions: int, tag: str) -> Session:
    members = [cast.participant, *add_members(organisation, people - 1, start=len(tag) * 1000)]
    cohort = make_cohort(
        cast.facilitator, members, start=timezone.localdate(), sessions=sessions, name=tag
    )
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    # In its last ten minutes, when the pulse is open.
    Session.objects.filter(pk=session.pk).update(starts_at=timezone.now() - timedelta(minutes=85))
    session.refresh_from_db()
    services.mark_attendance(session=session, marks={p.pk: "present" for p in members})
    for person in members[1:3]:
        services.answer_pulse(session=session, person=person, useful=4, safe=4)
    Membership.objects.create(
        cohort=cohort,
        person=cast.group_member if tag == "small" else cast.deactivated,
        status=Membership.Status.REQUESTED,
    )
    return session


PAGE_QUERIES = {
    ("participant", "list"): 3,
    ("facilitator", "list"): 3,
    ("facilitator", "cohort"): 8,
    ("participant", "cohort"): 7,
    ("facilitator", "session"): 8,
    ("participant", "session"): 7,
    ("facilitator", "plan"): 4,
    ("facilitator", "attendance"): 5,
    ("facilitator", "facilitate"): 5,
    ("participant", "handout"): 4,
}


@pytest.mark.parametrize(("position", "page"), PAGE_QUERIES)
def test_pages_do_the_same_queries_for_3_and_30_members_and_sessions(
    cast: Cast, organisation: Organisation, position: str, page: str, count_queries: CountQueries
) -> None:
    def url(session: Session) -> str:
        return {
            "list": "/cohorts/",
            "cohort": f"/cohorts/{session.cohort_id}/",
            "session": f"/cohorts/sessions/{session.pk}/",
            "plan": f"/cohorts/sessions/{session.pk}/plan",
            "attendance": f"/cohorts/sessions/{session.pk}/attendance",
            "facilitate": f"/cohorts/sessions/{session.pk}/facilitate",
            "handout": f"/cohorts/sessions/{session.pk}/handout",
        }[page]

    client = cast.client(position)
    small = grow(cast, organisation, 3, 3, "small")
    few = count_queries(client.get, url(small))
    Cohort.objects.all().delete()
    large = grow(cast, organisation, 30, 30, "large-cohort")
    # More cohorts on the list page too.
    for n in range(3):
        make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate(), name=f"x{n}")
    many = count_queries(client.get, url(large))
    assert few == many == PAGE_QUERIES[position, page]


def test_a_big_cohort_s_page_lists_its_members_a_page_at_a_time(
    cast: Cast, organisation: Organisation
) -> None:
    members = [cast.participant, *add_members(organisation, 55)]
    cohort = make_cohort(cast.facilitator, members, start=timezone.localdate())
    client = cast.client("facilitator")

    first = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert "Members (56)" in first
    assert first.count("Remove…<span") == 50
    assert f'href="/cohorts/{cohort.pk}/?page=2">Next page' in first
    assert "pager_label" not in first  # the pager's own comment stays out of the page
    second = client.get(f"/cohorts/{cohort.pk}/", {"page": 2}).content.decode()
    assert second.count("Remove…<span") == 6 and "Next page" not in second
    assert client.get(f"/cohorts/{cohort.pk}/", {"page": 3}).status_code == 404


def test_a_facilitator_lets_in_declines_and_removes_people_from_the_cohort_s_page(
    cast: Cast, organisation: Organisation
) -> None:
    asking, second, member = add_members(organisation, 3)
    cohort = make_cohort(cast.facilitator, [member], start=timezone.localdate())
    for person in (asking, second):
        Membership.objects.create(cohort=cohort, person=person, status="requested")
    client = cast.client("facilitator")
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    # One form for the requests, each button naming its membership; each member a link to
    # a page that asks before removing them.
    approve, decline = (
        f"/cohorts/{cohort.pk}/members/{decision}" for decision in ("approve", "decline")
    )
    assert f'action="{approve}"' in page and f'formaction="{decline}"' in page

    def membership_of(person: Person) -> str:
        return str(Membership.objects.get(cohort=cohort, person=person).pk)

    remove = f"/cohorts/{cohort.pk}/members/{membership_of(member)}/remove"
    assert f'href="{remove}"' in page
    # Sign out, add a session, the requests, add people: four forms in all.
    assert page.count("csrfmiddlewaretoken") == 4

    response = client.post(approve, {"membership": membership_of(asking)}, follow=True)
    assert f"{asking.chosen_name} is now a member." in response.content.decode()
    response = client.post(decline, {"membership": membership_of(second)}, follow=True)
    assert escape(f"Declined {second.chosen_name}'s request.") in response.content.decode()
    asked = client.get(remove).content.decode()
    assert f"Remove <bdi>{member.chosen_name}</bdi> from <bdi>{cohort.name}</bdi>?" in asked
    assert f'href="/cohorts/{cohort.pk}/">Keep them</a>' in asked
    assert cohort.memberships.filter(person=member).exists()
    response = client.post(remove, follow=True)
    assert f"{member.chosen_name} is no longer in this cohort." in response.content.decode()
    assert set(cohort.memberships.values_list("person", "status")) == {(asking.pk, "member")}

    # A second click from an old page, or someone else's membership, changes nothing.
    for method in (client.get, client.post):
        response = method(remove, follow=True)
        assert "Nothing changed: that person is no longer on the list." in response.content.decode()
    other = make_cohort(cast.facilitator, [member], start=timezone.localdate(), name="Other")
    elsewhere = Membership.objects.get(cohort=other, person=member).pk
    client.post(f"/cohorts/{cohort.pk}/members/{elsewhere}/remove")
    client.post(approve, {"membership": "not a number"})
    assert Membership.objects.filter(pk=elsewhere).exists()
    assert client.post(f"/cohorts/{cohort.pk}/members/promote").status_code == 404
    # Removing is no longer one click from the list.
    assert client.post(f"/cohorts/{cohort.pk}/members/remove").status_code == 404


def test_the_oldest_requests_to_join_come_first_and_the_rest_wait_their_turn(
    cast: Cast, organisation: Organisation
) -> None:
    cohort = make_cohort(cast.facilitator, [cast.participant], start=timezone.localdate())
    for person in add_members(organisation, 21):
        Membership.objects.create(cohort=cohort, person=person, status="requested")
    client = cast.client("facilitator")
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert page.count(">Let in<span") == 20 and "Member 20" not in page
    assert "The 20 oldest requests" in page

    Membership.objects.filter(cohort=cohort, status="requested").order_by("pk")[0].delete()
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert page.count(">Let in<span") == 20 and "Member 20" in page
    assert "The 20 oldest requests" not in page


def test_notes_too_long_with_htmx_come_back_in_the_form_with_the_error_and_the_text(
    cast: Cast,
) -> None:
    """Not the facilitate page inside the status line: the notes form alone, in its place."""
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    typed = "Warm room. " + "x" * 10_000

    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/notes",
        {"text": typed, "step": "2"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#notes-form"
    assert response["HX-Reswap"] == "outerHTML"
    assert html.lstrip().startswith("<form") and html.rstrip().endswith("</form>")
    assert 'id="notes-form"' in html
    assert "at most 10000 characters" in html
    assert 'aria-invalid="true"' in html and 'class="field__errors"' in html
    assert typed in html
    assert 'name="step" value="2"' in html
    assert services.note_for(session=session, author=cast.facilitator) == ""


def test_notes_too_long_without_javascript_show_the_page_again_with_the_error_and_the_text(
    cast: Cast,
) -> None:
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()
    typed = "Warm room. " + "x" * 10_000

    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/notes", {"text": typed, "step": "2"}
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Part 2 of 3" in html
    assert "at most 10000 characters" in html and 'aria-invalid="true"' in html
    assert typed in html


def test_notes_saved_with_htmx_after_an_error_clear_the_error(cast: Cast) -> None:
    """The status says when they were saved, and the field comes back without its error."""
    cohort = make_cohort(cast.facilitator, start=timezone.localdate(), sessions=1)
    session = cohort.sessions.get()

    response = cast.client("facilitator").post(
        f"/cohorts/sessions/{session.pk}/notes",
        {"text": "Warm room", "step": "1"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Saved at" in html
    assert 'id="note-field" hx-swap-oob="true"' in html
    assert "Warm room" in html
    assert "aria-invalid" not in html and "field__errors" not in html
    assert services.note_for(session=session, author=cast.facilitator) == "Warm room"
