"""A session's pulse can't be read one answer at a time: results appear only once the pulse has
closed, and only members who were at the session (members by then, marked present) count
towards the five; the people who read the results never answer it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.accounts.services import erase_person
from bridgework.cohorts import services
from bridgework.cohorts.models import (
    FEEDBACK_PER_MONTH,
    PULSE_MIN_ANSWERS,
    Membership,
    PulseAnswer,
    PulseResponse,
    Session,
)
from bridgework.insights import counts

from .cohorts_support import add_members, make_cohort
from .conftest import POSITIONS, Cast, client_for
from .page_support import without_per_request_values
from .test_authorization import (
    sample_values,  # noqa: F401  (a fixture used below)
)
from .test_reflection_privacy import get_pages

STARTS = datetime(2030, 3, 12, 18, 0, tzinfo=UTC)
DURING_THE_PULSE = STARTS + timedelta(days=3)
AFTER_IT_CLOSED = STARTS + timedelta(days=15)
MARK = "zqx-pulse-4471"


def held_session(cast: Cast, members: Sequence[Person], *, present: Sequence[Person]) -> Session:
    """The first session of a cohort its members joined a week before it; `present` were
    marked present."""
    with time_machine.travel(STARTS - timedelta(days=7), tick=False):
        cohort = make_cohort(
            cast.facilitator, members, start=STARTS.date(), at=time(18), zone="UTC", sessions=1
        )
    session = cohort.sessions.get()
    services.mark_attendance(session=session, marks={p.pk: "present" for p in present})
    return session


def answer(
    session: Session,
    people: Sequence[Person],
    *,
    useful: int = 4,
    safe: int = 3,
    line: str = "",
) -> None:
    with time_machine.travel(DURING_THE_PULSE):
        for person in people:
            assert services.answer_pulse(
                session=session, person=person, useful=useful, safe=safe, line=line
            )


def facilitator_page(cast: Cast, session: Session) -> str:
    return cast.client("facilitator").get(f"/cohorts/sessions/{session.pk}/").content.decode()


def test_results_stay_hidden_while_the_pulse_is_open_however_many_answered(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 7)
    session = held_session(cast, people, present=people)
    answer(session, people[:5], useful=4)
    with time_machine.travel(DURING_THE_PULSE):
        before = facilitator_page(cast, session)
        summary = services.pulse_summary(session)
        assert not summary.shown and summary.useful is None
        # A sixth answer arrives: nothing on the page tells what it was.
        answer(session, people[5:6], useful=1)
        after = facilitator_page(cast, session)
    for page in (before, after):
        assert "How safe it felt to speak" not in page and "<table" not in page
        assert "Results appear on 26 March 2030, when the pulse closes" in page
    # Nor how many have answered: a count that moved would say the sixth member had.
    assert without_per_request_values(before) == without_per_request_values(after)

    with time_machine.travel(AFTER_IT_CLOSED):
        summary = services.pulse_summary(session)
        page = facilitator_page(cast, session)
    assert summary.shown and summary.answered == 6
    assert summary.useful == services.PulseSplit(answered=6, high=5)
    assert "More than half of the 6 who answered rated it 4 or 5." in page
    assert "How safe it felt to speak" in page and "Results appear on" not in page


def test_only_members_who_were_there_answer_and_count(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 6)
    absent, late = people[4], people[5]
    session = held_session(cast, people[:5], present=people[:4])
    with time_machine.travel(STARTS + timedelta(days=1)):
        # Enrolled the day after the session, then marked present: not a member at the time.
        services.enrol(cohort=session.cohort, people=[late])
        services.mark_attendance(session=session, marks={late.pk: "present"})
    answer(session, people[:4])
    with time_machine.travel(DURING_THE_PULSE):
        for person in (absent, late):
            with pytest.raises(ValidationError, match="members who were at the session"):
                services.answer_pulse(session=session, person=person, useful=5, safe=5)
            response = client_for(person).get(f"/cohorts/sessions/{session.pk}/pulse")
            assert response.status_code == 404
            assert "who were at the session" in response.content.decode()
            text = client_for(person).get(f"/cohorts/sessions/{session.pk}/").content.decode()
            assert "Three quick questions" not in text
    assert PulseAnswer.objects.filter(session=session).count() == 4
    with time_machine.travel(AFTER_IT_CLOSED):
        summary = services.pulse_summary(session)
    assert (summary.answered, summary.invited, summary.shown) == (4, 4, False)


def test_the_people_who_read_the_results_never_answer_and_never_count(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 5)
    session = held_session(
        cast,
        [*people, cast.facilitator, cast.program_admin],
        present=[*people, cast.facilitator, cast.program_admin],
    )
    with time_machine.travel(DURING_THE_PULSE):
        for reader in (cast.facilitator, cast.program_admin):
            with pytest.raises(ValidationError, match="do not answer"):
                services.answer_pulse(session=session, person=reader, useful=5, safe=5)
            text = client_for(reader).get(f"/cohorts/sessions/{session.pk}/").content.decode()
            assert "Three quick questions" not in text
            assert "Facilitators and program admins do not answer" in text
    # A member who answered and was then made a co-facilitator knows one answer: theirs is
    # in the count (nothing links it to them), but it is not one of the five.
    answer(session, people)
    session.cohort.facilitators.add(people[0])
    people[0].set_roles({Role.FACILITATOR, Role.PARTICIPANT})
    with time_machine.travel(AFTER_IT_CLOSED):
        summary = services.pulse_summary(session)
        page = facilitator_page(cast, session)
    assert (summary.answered, summary.invited, summary.shown) == (5, 5, False)
    assert "5 of 5" in page and "How safe it felt to speak" not in page


def test_changing_who_was_there_never_tells_whether_one_person_answered(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 8)
    session = held_session(cast, people, present=people)
    answered, silent = people[0], people[7]
    answer(session, people[:7], line="A good hour")

    def seen_after(change: dict[int, str]) -> tuple[object, ...]:
        services.mark_attendance(session=session, marks=change)
        with time_machine.travel(AFTER_IT_CLOSED):
            summary = services.pulse_summary(session)
        services.mark_attendance(session=session, marks={pk: "present" for pk in change})
        return (summary.answered, summary.invited, summary.shown, summary.useful)

    # Marking someone absent after the fact moves the figures the same way whether or not
    # they had answered: before, the count of answers dropped only for someone who had.
    assert (
        seen_after({answered.pk: "absent"})
        == seen_after({silent.pk: "absent"})
        == (
            7,
            7,
            True,
            services.PulseSplit(answered=7, high=7),
        )
    )
    with time_machine.travel(AFTER_IT_CLOSED):
        assert "7 of 8" in facilitator_page(cast, session)

    def seen_as_reader(person: Person) -> tuple[object, ...]:
        session.cohort.facilitators.add(person)
        with time_machine.travel(AFTER_IT_CLOSED):
            summary = services.pulse_summary(session)
        session.cohort.facilitators.remove(person)
        return (summary.answered, summary.invited, summary.shown)

    # Nor does making one of them a facilitator, who would read the results.
    assert seen_as_reader(answered) == seen_as_reader(silent) == (7, 7, True)


def pulse_section(html: str) -> str:
    return html.split('id="pulse-heading"')[1].split("</section>")[0]


def test_five_present_who_all_rated_it_1_are_not_each_seen_to_have_rated_it_1(
    cast: Cast, organisation: Organisation
) -> None:
    """The facilitator marks exactly five present; all five answer 1. "5 of 5 answered"
    beside a 1 row holding 5, or an average of 1.0, would say what each of them gave."""
    people = add_members(organisation, 5)
    session = held_session(cast, people, present=people)
    answer(session, people, useful=1, safe=1)
    with time_machine.travel(AFTER_IT_CLOSED):
        summary = services.pulse_summary(session)
        section = pulse_section(facilitator_page(cast, session))
    assert summary.shown and "<strong>5 of 5</strong>" in section
    assert "<table" not in section and "<td" not in section
    assert "1.0" not in section and "Average" not in section
    assert section.count("At least half of the 5 who answered rated it 1 to 3.") == 2
    # Had all five rated it 3 (or 2, or two of them 5), the section would read the same.
    assert services.PulseSplit(answered=5, high=0).sentence == (
        services.PulseSplit(answered=5, high=2).sentence
    )


def test_ten_answers_split_6_to_4_are_banded_and_5_to_5_are_exact(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 10)
    session = held_session(cast, people, present=people)
    answer(session, people[:5], useful=5, safe=2)
    answer(session, people[5:6], useful=4, safe=4)
    answer(session, people[6:], useful=3, safe=4)
    with time_machine.travel(AFTER_IT_CLOSED):
        section = pulse_section(facilitator_page(cast, session))
    assert (
        "More than 5 of the 10 who answered rated it 4 or 5; fewer than 5 rated it 1 to 3."
    ) in section  # useful: 6 to 4
    assert "5 of the 10 who answered rated it 4 or 5; 5 rated it 1 to 3." in section  # safe
    assert "6 of the 10" not in section and "4 rated it" not in section


@pytest.mark.parametrize("answered", range(PULSE_MIN_ANSWERS, 31))
def test_no_sentence_tells_that_everyone_who_answered_chose_one_side(answered: int) -> None:
    """Whoever reads the sentence and knows the rule learns only which sentence it is: every
    sentence that could mean all or none could also mean something else. A count is exact
    only with at least five on each side; below ten answers, bands split at half."""
    said: dict[str, set[int]] = {}
    for high in range(answered + 1):
        sentence = services.PulseSplit(answered=answered, high=high).sentence
        said.setdefault(sentence, set()).add(high)
    for sentence, highs in said.items():
        assert highs != {0} and highs != {answered}, sentence
        if len(highs) == 1:
            (high,) = highs
            assert high >= 5 and answered - high >= 5, sentence
        else:
            assert len(highs) >= (5 if answered >= 10 else 3), sentence
        assert "%" not in sentence


def test_a_reader_who_answered_is_taken_off_whatever_their_membership_now(
    cast: Cast, organisation: Organisation
) -> None:
    """Removed and added back (so joined after the session), or removed altogether, a member
    who answered and now reads the results still knows their own answer: the other four
    alone must not be shown."""
    people = add_members(organisation, 5)
    session = held_session(cast, people, present=people)
    answer(session, people)
    readmitted, removed = people[0], people[1]
    cohort = session.cohort
    services.remove_member(membership=Membership.objects.get(cohort=cohort, person=readmitted))
    services.enrol(cohort=cohort, people=[readmitted], since=AFTER_IT_CLOSED)
    cohort.facilitators.add(readmitted)
    readmitted.set_roles({Role.FACILITATOR, Role.PARTICIPANT})
    with time_machine.travel(AFTER_IT_CLOSED):
        summary = services.pulse_summary(session)
        section = pulse_section(facilitator_page(cast, session))
    assert (summary.answered, summary.shown) == (5, False)
    assert "How safe it felt to speak" not in section and "rated it" not in section

    cohort.facilitators.remove(readmitted)
    readmitted.set_roles({Role.PARTICIPANT})
    services.remove_member(membership=Membership.objects.get(cohort=cohort, person=removed))
    removed.set_roles({Role.PROGRAM_ADMIN})
    with time_machine.travel(AFTER_IT_CLOSED):
        assert not services.pulse_summary(session).shown
    removed.set_roles({Role.PARTICIPANT})
    with time_machine.travel(AFTER_IT_CLOSED):
        assert services.pulse_summary(session).shown


def test_making_a_readmitted_member_a_reader_never_tells_whether_they_answered(
    cast: Cast, organisation: Organisation
) -> None:
    """Readers marked present are taken off whether or not they answered, as are those who
    were members at the time: results that vanished only for someone who had answered would
    say so."""
    people = add_members(organisation, 7)
    session = held_session(cast, people, present=people)
    answered, silent = people[0], people[6]
    answer(session, people[:6])
    cohort = session.cohort

    def seen_as_readmitted_reader(person: Person) -> tuple[object, ...]:
        services.remove_member(membership=Membership.objects.get(cohort=cohort, person=person))
        services.enrol(cohort=cohort, people=[person], since=AFTER_IT_CLOSED)
        cohort.facilitators.add(person)
        with time_machine.travel(AFTER_IT_CLOSED):
            summary = services.pulse_summary(session)
        cohort.facilitators.remove(person)
        return (summary.answered, summary.shown)

    assert seen_as_readmitted_reader(answered) == seen_as_readmitted_reader(silent) == (6, True)


def test_unmarking_and_removing_a_member_before_making_them_a_reader_never_tells_either(
    cast: Cast, organisation: Organisation
) -> None:
    """Done over the web by the cohort's facilitator once the pulse has closed: unmark the
    member, remove them, add them as a facilitator. Judged on today's attendance and
    membership, they would then be taken off the count only if they had answered, and the
    results would vanish for an answer and stay for silence."""

    def seen_after_the_steps(target_answers: bool) -> tuple[bool, str]:
        people = add_members(organisation, 7, start=10 if target_answers else 20)
        target = people[0]
        target.set_roles({Role.FACILITATOR, Role.PARTICIPANT})
        session = held_session(cast, people, present=people)
        answer(session, people[:5] if target_answers else people[1:6])
        cohort = session.cohort
        with time_machine.travel(AFTER_IT_CLOSED):
            fran = cast.client("facilitator")
            assert "rated it" in facilitator_page(cast, session)
            marks = {f"person_{p.pk}": ("" if p == target else "present") for p in people}
            fran.post(f"/cohorts/sessions/{session.pk}/attendance", marks)
            row = Membership.objects.get(cohort=cohort, person=target)
            fran.post(f"/cohorts/{cohort.pk}/members/{row.pk}/remove")
            settings_form = {
                "name": cohort.name,
                "description": "",
                "facilitators": [str(cast.facilitator.pk), str(target.pk)],
            }
            assert fran.post(f"/cohorts/{cohort.pk}/settings", settings_form).status_code == 302
            assert cohort.facilitators.filter(pk=target.pk).exists()
            assert not Membership.objects.filter(cohort=cohort, person=target).exists()
            page = pulse_section(facilitator_page(cast, session))
        cohort.name = f"Done with {cohort.pk}"  # the next cohort takes its name
        cohort.save(update_fields=["name"])
        return "rated it" in page, re.sub(r"\d+", "#", page)

    assert seen_after_the_steps(target_answers=True) == seen_after_the_steps(target_answers=False)


def move_to(session: Session, day: date) -> None:
    services.update_session(
        session=session,
        on=day,
        at=time(18),
        time_zone="UTC",
        duration_minutes=90,
        location="",
        video_link="",
        module=None,
    )


def test_once_anyone_was_marked_present_a_session_keeps_its_date_time_and_length(
    cast: Cast, organisation: Organisation
) -> None:
    """Otherwise a closed pulse could be reopened for one more answer and closed again, and
    its totals compared; or an open one closed early to read them. Only those marked present
    answer, so the rule turns on the attendance, which the facilitator knows, never on the
    answers: the form looks the same whether anyone answered or not."""
    people = add_members(organisation, 6)
    session = held_session(cast, people, present=[])
    edit = f"/cohorts/sessions/{session.pk}/edit"
    moved = {
        "on": "2030-03-01",
        "at": "09:00",
        "time_zone": "UTC",
        "duration_minutes": "60",
        "location": "Room 4",
        "video_link": "",
        "module": "",
    }
    with time_machine.travel(DURING_THE_PULSE):
        # Nobody was there yet: it moves freely (a session held on another day can be put
        # right).
        assert cast.client("facilitator").post(edit, moved).status_code == 302
        session.refresh_from_db()
        assert session.starts_at == datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
        move_to(session, STARTS.date())
    services.mark_attendance(session=session, marks={p.pk: "present" for p in people})
    facilitator = cast.client("facilitator")
    with time_machine.travel(DURING_THE_PULSE):
        before_answers = without_per_request_values(facilitator.get(edit).content.decode())
    answer(session, people[:5])
    # Clearing the attendance afterwards does not free it either.
    services.mark_attendance(session=session, marks={p.pk: "" for p in people})
    with time_machine.travel(DURING_THE_PULSE):
        after_answers = without_per_request_values(facilitator.get(edit).content.decode())
    assert after_answers == before_answers
    with time_machine.travel(AFTER_IT_CLOSED):
        with pytest.raises(ValidationError, match="stay as they are"):
            move_to(session, date(2030, 3, 30))
        facilitator = cast.client("facilitator")
        form = facilitator.get(edit).content.decode()
        assert "Members were marked present at this session" in form
        assert form.count(" disabled") == 4
        # The form ignores a new date sent anyway; the place still changes.
        assert facilitator.post(edit, {**moved, "on": "2030-03-30"}).status_code == 302
    session.refresh_from_db()
    assert session.starts_at == STARTS and session.duration_minutes == 90
    assert session.location == "Room 4"


def test_an_edit_from_a_form_opened_before_a_check_in_keeps_the_time_fixed(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 2)
    session = held_session(cast, people, present=[])
    opened_before = Session.objects.get(pk=session.pk)
    services.self_check_in(session=session, person=people[0], now=session.starts_at)
    services.update_session(
        session=opened_before,
        on=STARTS.date(),
        at=time(18),
        time_zone="UTC",
        duration_minutes=90,
        location="Room 9",
        video_link="",
        module=None,
    )
    with pytest.raises(ValidationError, match="stay as they are"):
        move_to(Session.objects.get(pk=session.pk), date(2030, 3, 30))
    assert Session.objects.get(pk=session.pk).was_attended


def test_erasing_someone_who_answered_leaves_the_count_of_answers_as_it_was(
    cast: Cast, organisation: Organisation
) -> None:
    """Were their "answered" rows deleted with them, comparing the counts before and after
    someone leaves would list the pulses they answered."""
    people = add_members(organisation, 7)
    session = held_session(cast, people, present=people)
    answer(session, people[:5])
    with time_machine.travel(AFTER_IT_CLOSED):
        before = services.pulse_summary(session)
        leaver = people[0].pk
        erase_person(person=people[0])
        after = services.pulse_summary(session)
    assert before.answered == after.answered == 5
    assert after.shown
    assert not PulseResponse.objects.filter(person_id=leaver).exists()


def test_checking_in_oneself_fixes_the_sessions_time_too(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 2)
    session = held_session(cast, people, present=[])
    services.self_check_in(session=session, person=people[0], now=session.starts_at)
    session.refresh_from_db()
    assert session.was_attended


def test_a_members_answer_is_unreadable_on_every_page_until_the_pulse_closes(
    cast: Cast, organisation: Organisation, request: pytest.FixtureRequest
) -> None:
    values: dict[str, str] = dict(request.getfixturevalue("sample_values"))
    session = Session.objects.get(pk=values["session_id"])
    # Ten more members who joined before the session and were there: enough for lines.
    people = add_members(organisation, 10)
    services.enrol(cohort=session.cohort, people=people)
    Membership.objects.filter(cohort=session.cohort).update(joined_at=session.starts_at)
    services.mark_attendance(session=session, marks={p.pk: "present" for p in people})
    for person in people:
        services.answer_pulse(session=session, person=person, useful=2, safe=2, line=MARK)
    assert PulseResponse.objects.filter(session=session).count() == 10
    leaks = [
        f"{path} as {position}"
        for position in POSITIONS
        for path, body in get_pages(cast.client(position), values).items()
        if MARK in body
    ]
    assert leaks == []
    with time_machine.travel(session.ends_at + timedelta(days=14, minutes=1)):
        assert MARK in facilitator_page(cast, session)


def test_the_pulse_opens_in_the_last_ten_minutes_of_the_session_not_at_its_start(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 1)
    session = held_session(cast, people, present=people)
    assert session.duration_minutes == 90
    path = f"/cohorts/sessions/{session.pk}/"
    for moment in (STARTS, STARTS + timedelta(minutes=79)):
        with time_machine.travel(moment):
            member = client_for(people[0])
            assert not session.pulse_open(moment)
            page = member.get(path).content.decode()
            assert "How was it? Three quick questions" not in page
            assert "open here at 19:20, in its last ten minutes" in page
            assert member.get(f"{path}pulse").status_code == 404
            with pytest.raises(ValidationError):
                services.answer_pulse(session=session, person=people[0], useful=3, safe=3)
    with time_machine.travel(STARTS + timedelta(minutes=80)):
        member = client_for(people[0])
        assert "How was it? Three quick questions" in member.get(path).content.decode()
        assert member.get(f"{path}pulse").status_code == 200


def test_a_session_shorter_than_ten_minutes_offers_the_pulse_from_its_start(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 1)
    session = held_session(cast, people, present=people)
    session.duration_minutes = 15
    assert session.pulse_opens_at == STARTS + timedelta(minutes=5)
    session.duration_minutes = 8  # below the form's minimum, but the rule still holds
    assert session.pulse_opens_at == STARTS


def test_below_five_answers_the_count_is_not_shown_not_even_as_none(cast: Cast) -> None:
    """With one member marked present, "0 of 1" becoming "1 of 1" would say they answered."""
    alex = cast.participant
    session = held_session(cast, [alex], present=[alex])

    def pulse_section(moment: datetime) -> str:
        with time_machine.travel(moment):
            page = without_per_request_values(facilitator_page(cast, session))
        return page.split('id="pulse-heading"')[1].split("</section>")[0]

    before = pulse_section(DURING_THE_PULSE)
    answer(session, [alex])
    assert pulse_section(DURING_THE_PULSE) == before
    closed = pulse_section(AFTER_IT_CLOSED)
    assert "closed with fewer than 5 answers" in closed
    assert " of 1" not in closed and "(100%)" not in closed


def test_below_five_answers_clearing_attendance_says_nothing_either(
    cast: Cast, organisation: Organisation
) -> None:
    """ "Of how many" never drops below the answers: with everyone unmarked it would be
    the number of answers itself, so below five it is not shown."""
    people = add_members(organisation, 3)
    session = held_session(cast, people, present=people)
    answer(session, people[:1])

    def page() -> str:
        with time_machine.travel(DURING_THE_PULSE):
            return without_per_request_values(facilitator_page(cast, session))

    def pulse_section(html: str) -> str:
        return html.split('id="pulse-heading"')[1].split("</section>")[0]

    before = pulse_section(page())
    services.mark_attendance(session=session, marks={p.pk: "absent" for p in people})
    assert pulse_section(page()) == before


def test_once_closed_from_five_answers_the_count_and_rate_are_shown(
    cast: Cast, organisation: Organisation
) -> None:
    people = add_members(organisation, 6)
    session = held_session(cast, people, present=people)
    answer(session, people[:5])
    with time_machine.travel(AFTER_IT_CLOSED):
        assert "<strong>5 of 6</strong> members who were there answered (83%)." in (
            facilitator_page(cast, session)
        )


def sessions_closing_in_one_month(
    cast: Cast, members: Sequence[Person], count: int
) -> list[Session]:
    """`count` sessions of one cohort two hours apart, all attended by `members`, whose pulses
    all close in March 2030."""
    first = held_session(cast, members, present=members)
    sessions = [first]
    for number in range(2, count + 1):
        session = Session.objects.create(
            cohort=first.cohort,
            number=number,
            starts_at=first.starts_at + timedelta(hours=2 * (number - 1)),
            time_zone="UTC",
        )
        services.mark_attendance(session=session, marks={p.pk: "present" for p in members})
        sessions.append(session)
    return sessions


def test_one_person_answers_at_most_a_months_worth_of_session_pulses(
    cast: Cast, organisation: Organisation
) -> None:
    """Insights bound each person's anonymous answers by FEEDBACK_PER_MONTH. Were the bound
    checked only when the month is released, whoever runs nine sessions with one member
    present would learn, from whether the month's feedback figures appear, whether that member
    answered all nine."""
    (member,) = add_members(organisation, 1)
    sessions = sessions_closing_in_one_month(cast, [member], FEEDBACK_PER_MONTH + 1)
    with time_machine.travel(sessions[-1].ends_at + timedelta(minutes=5)):
        for session in sessions[:-1]:
            assert services.answer_pulse(session=session, person=member, useful=4, safe=4)
        with pytest.raises(ValidationError, match="as many session pulses as count"):
            services.answer_pulse(session=sessions[-1], person=member, useful=4, safe=4)
        page = client_for(member).get(f"/cohorts/sessions/{sessions[-1].pk}/pulse")
        # Answering one already answered still says so, not that the month is full.
        again = services.answer_pulse(session=sessions[0], person=member, useful=2, safe=2)
    assert PulseResponse.objects.filter(person=member).count() == FEEDBACK_PER_MONTH
    assert PulseAnswer.objects.filter(session=sessions[-1]).count() == 0
    assert again is False
    assert page.status_code == 200
    assert "No answer needed" in page.content.decode()
    assert 'name="useful"' not in page.content.decode()


def test_the_session_page_offers_no_pulse_once_the_persons_month_is_full(
    cast: Cast, organisation: Organisation
) -> None:
    """Offered a pulse whose answer would be refused, a member would fill it in for nothing:
    the session's page says instead, kindly, that this one is not needed, and links to no
    form. Another member whose month is not full is still offered it."""
    member, other = add_members(organisation, 2)
    sessions = sessions_closing_in_one_month(cast, [member, other], FEEDBACK_PER_MONTH + 1)
    with time_machine.travel(sessions[-1].ends_at + timedelta(minutes=5)):
        for session in sessions[:-1]:
            assert services.answer_pulse(session=session, person=member, useful=4, safe=4)
        path = f"/cohorts/sessions/{sessions[-1].pk}/"
        full = client_for(member).get(path).content.decode()
        open_ = client_for(other).get(path).content.decode()
    assert "Three quick questions" not in full
    assert f'href="{path}pulse"' not in full
    assert str(services.FEEDBACK_MONTH_FULL) in full
    assert "Three quick questions" in open_
    assert str(services.FEEDBACK_MONTH_FULL) not in open_


def test_pulses_closing_in_another_month_are_answered_as_usual(
    cast: Cast, organisation: Organisation
) -> None:
    (member,) = add_members(organisation, 1)
    sessions = sessions_closing_in_one_month(cast, [member], FEEDBACK_PER_MONTH)
    later = Session.objects.create(
        cohort=sessions[0].cohort,
        number=FEEDBACK_PER_MONTH + 1,
        starts_at=STARTS + timedelta(days=30),
        time_zone="UTC",
    )
    services.mark_attendance(session=later, marks={member.pk: "present"})
    with time_machine.travel(sessions[-1].ends_at + timedelta(minutes=5)):
        for session in sessions:
            assert services.answer_pulse(session=session, person=member, useful=4, safe=4)
    with time_machine.travel(later.ends_at + timedelta(minutes=5)):
        assert services.answer_pulse(session=later, person=member, useful=4, safe=4)


def test_the_months_bound_on_answers_is_the_one_insights_releases_rely_on() -> None:
    assert FEEDBACK_PER_MONTH == counts.FEEDBACK_CAP


def test_the_pulse_form_says_a_line_is_read_word_for_word(
    cast: Cast, organisation: Organisation
) -> None:
    """Totals hide who gave which number, but a line is shown as written: a member who was
    there is told so beside the field, before writing one, and that lines wait for ten
    answers."""
    member, *others = add_members(organisation, 3)
    session = held_session(cast, [member, *others], present=[member, *others])
    with time_machine.travel(DURING_THE_PULSE):
        form = client_for(member).get(f"/cohorts/sessions/{session.pk}/pulse").content.decode()
    field = re.search(r'<input[^>]*name="line"[^>]*>', form)
    assert field is not None
    assert 'aria-describedby="id_line_helptext' in field.group(0)
    assert "word for word" in form
    assert "ten or more people have answered" in form
