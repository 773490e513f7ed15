"""Nothing private travels to Teams, and the anonymous session pulse can be answered there.

A canary string sits in a protected community space, in the person's journal, in their
commitment's own words and in its check-in note; after every flow the bot has (linking, a
reminder, "pick one thing", "this week", a check-in, the pulse) no call Microsoft recorded
holds it. The pulse answered in Teams is stored exactly as the web's: that the person
answered, and apart from it, what was answered."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse

from bridgework.accounts.models import CommunityGroup, Person
from bridgework.chat import services as chat_services
from bridgework.chat.models import Destination
from bridgework.cohorts import services as cohort_services
from bridgework.cohorts.models import PulseAnswer, PulseResponse, Session
from bridgework.practice import reminders
from bridgework.practice import services as practice_services
from bridgework.reflection import services as reflection_services
from bridgework.teams.models import TeamsBot

from ..cohorts_support import fill_month_of_feedback, make_cohort
from ..community_support import group_space, raw_post
from ..conftest import Clock, client_for
from ..test_reminders import DUE, MONDAY, commit_weekly
from .conftest import activity, post
from .loopback import MicrosoftOnLoopback

pytestmark = pytest.mark.django_db

CANARY = "zq-teams-canary-5521"
STARTS = datetime(2030, 3, 12, 18, 0, tzinfo=UTC)
DURING_THE_PULSE = STARTS + timedelta(days=3)


def link(microsoft: MicrosoftOnLoopback, person: Person) -> None:
    post(microsoft, activity(microsoft, "installationUpdate", action="add"))
    post(microsoft, activity(microsoft, "message", text="link"))
    body = microsoft.connector_calls()[-1].body
    code = body.split("Your code: ", 1)[1][:9]
    answer = client_for(person).post(reverse("chat_confirm_link"), {"code": code})
    assert answer.status_code == 302
    chat_services.choose_destination(person=person, destination=Destination.TEAMS)


def say(microsoft: MicrosoftOnLoopback, words: str) -> None:
    post(microsoft, activity(microsoft, "message", text=words))


def test_no_call_to_microsoft_ever_holds_private_words(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant_and_member: Person,
    community_group: CommunityGroup,
    facilitator: Person,
    clock: Clock,
) -> None:
    person = participant_and_member
    space = group_space(facilitator, community_group, name="Protected")
    raw_post(space, person, body=f"Only for us: {CANARY}", title=f"Thread {CANARY}")
    reflection_services.write_entry(person=person, body=f"My journal {CANARY}")
    commitment = commit_weekly(person)
    practice_services.check_in(commitment=commitment, outcome="partly", note=f"note {CANARY}")
    commitment.title = f"My own words {CANARY}"
    commitment.save(update_fields=["title"])

    link(microsoft, person)
    clock.move_to(DUE)
    reminders.deliver(commitment.pk, MONDAY)
    say(microsoft, "this week")
    say(microsoft, "pick one thing")
    say(microsoft, "pulse")
    say(microsoft, "help")
    data = {
        "bridgework": "check_in",
        "commitment": commitment.pk,
        "period": MONDAY.isoformat(),
        "outcome": "done",
    }
    post(microsoft, activity(microsoft, "message", value=data, replyToId="1:activity-1"))

    assert len(microsoft.connector_calls()) >= 6
    for call in microsoft.calls:
        assert CANARY not in call.path
        assert CANARY not in call.body
        assert all(CANARY not in value for value in call.headers.values())


def held_session(facilitator: Person, members: list[Person]) -> Session:
    with time_machine.travel(STARTS - timedelta(days=7), tick=False):
        cohort = make_cohort(
            facilitator, members, start=STARTS.date(), at=time(18), zone="UTC", sessions=1
        )
    session = cohort.sessions.get()
    cohort_services.mark_attendance(session=session, marks={p.pk: "present" for p in members})
    return session


def test_the_pulse_is_answered_in_a_card_and_stored_apart_from_the_person(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    facilitator: Person,
    clock: Clock,
) -> None:
    session = held_session(facilitator, [participant])
    clock.move_to(DURING_THE_PULSE)
    link(microsoft, participant)

    say(microsoft, "pulse")
    card = microsoft.connector_calls()[-1].json()["attachments"][0]["content"]
    inputs = [item["id"] for item in card["body"] if item["type"].startswith("Input.")]
    assert inputs == ["useful", "safe", "line"]
    [send] = card["actions"]
    answers = {**send["data"], "useful": "4", "safe": "5", "line": "More time for pairs"}
    for _ in range(2):  # a second press keeps the first answers
        post(microsoft, activity(microsoft, "message", value=answers, replyToId="1:activity-p"))

    assert PulseResponse.objects.filter(session=session, person=participant).count() == 1
    [stored] = PulseAnswer.objects.filter(session=session)
    assert (stored.useful, stored.safe, stored.line) == (4, 5, "More time for pairs")
    assert not hasattr(stored, "person_id")
    updates = [c.body for c in microsoft.connector_calls() if c.method == "PUT"]
    assert "kept apart from your name" in updates[0]
    assert "already answered" in updates[1]
    # Once answered, there is no pulse waiting.
    say(microsoft, "pulse")
    assert "No session pulse is waiting" in microsoft.connector_calls()[-1].body


def test_pulse_says_kindly_that_a_full_month_needs_no_more_answers(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    facilitator: Person,
    clock: Clock,
) -> None:
    """Asked for the pulse, someone whose month of feedback is full gets no card to fill in
    for nothing (its answers would be refused): the bot says, in the web's words, that this
    one is not needed."""
    session = held_session(facilitator, [participant])
    fill_month_of_feedback(session, participant)
    clock.move_to(DURING_THE_PULSE)
    link(microsoft, participant)

    say(microsoft, "pulse")
    [call] = microsoft.connector_calls()[-1:]
    assert str(cohort_services.FEEDBACK_MONTH_FULL) in call.body
    assert "Input.ChoiceSet" not in call.body
    assert "No session pulse is waiting" not in call.body


def test_a_pulse_card_sent_once_the_month_is_full_is_answered_kindly_and_stores_nothing(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    facilitator: Person,
    clock: Clock,
) -> None:
    """The card was fetched before the month filled; its answers, sent after, are not kept,
    and the card is replaced by the kind sentence (not an error)."""
    session = held_session(facilitator, [participant])
    clock.move_to(DURING_THE_PULSE)
    link(microsoft, participant)
    say(microsoft, "pulse")
    card = microsoft.connector_calls()[-1].json()["attachments"][0]["content"]
    fill_month_of_feedback(session, participant)

    [send] = card["actions"]
    answers = {**send["data"], "useful": "4", "safe": "5"}
    post(microsoft, activity(microsoft, "message", value=answers, replyToId="1:activity-p"))

    [update] = [c.body for c in microsoft.connector_calls() if c.method == "PUT"]
    assert str(cohort_services.FEEDBACK_MONTH_FULL) in update
    assert not PulseResponse.objects.filter(session=session, person=participant).exists()


def test_pulse_passes_over_a_full_month_for_an_open_pulse_in_another(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    facilitator: Person,
    clock: Clock,
) -> None:
    """The latest session's pulse closes in March, a month the person has filled; the one
    before it closes in February, and is the one offered."""
    with time_machine.travel(datetime(2030, 2, 1, tzinfo=UTC), tick=False):
        cohort = make_cohort(
            facilitator, [participant], start=date(2030, 2, 10), at=time(18), zone="UTC", sessions=2
        )
    february, march = cohort.sessions.order_by("starts_at")
    march.starts_at = datetime(2030, 2, 17, 18, tzinfo=UTC)
    march.save(update_fields=["starts_at"])
    cohort_services.mark_attendance(session=february, marks={participant.pk: "present"})
    cohort_services.mark_attendance(session=march, marks={participant.pk: "present"})
    fill_month_of_feedback(march, participant)
    assert not cohort_services.month_of_feedback_full(session=february, person=participant)
    clock.move_to(datetime(2030, 2, 18, 12, tzinfo=UTC))
    link(microsoft, participant)

    say(microsoft, "pulse")
    card = microsoft.connector_calls()[-1].json()["attachments"][0]["content"]
    [send] = card["actions"]
    assert send["data"]["session"] == february.pk


def test_the_session_reminder_has_the_session_and_calendar_links(
    microsoft: MicrosoftOnLoopback,
    bot: TeamsBot,
    participant: Person,
    facilitator: Person,
    clock: Clock,
) -> None:
    from bridgework.cohorts import reminders as session_reminders

    session = held_session(facilitator, [participant])
    link(microsoft, participant)
    clock.move_to(STARTS - timedelta(hours=3))
    microsoft.calls.clear()

    assert session_reminders.deliver(session.pk, participant.pk) is True
    assert session_reminders.deliver(session.pk, participant.pk) is False

    [call] = microsoft.connector_calls()
    card = call.json()["attachments"][0]["content"]
    urls = [action["url"] for action in card["actions"]]
    assert urls[0].endswith(reverse("cohort_session", args=[session.pk]))
    assert urls[1].endswith(reverse("cohort_invite", args=[session.pk]))
    assert "18:00" in call.body
