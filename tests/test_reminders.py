"""Reminders: due at the person's hour in their own time zone, sent at most once per
commitment and period however many planners and workers run, re-checked when sent, and
free of anything the person wrote. One test sends through a real SMTP server."""

from __future__ import annotations

import email
import itertools
import re
import socket
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time, timedelta
from email.message import Message
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings

from bridgework.accounts.models import Person
from bridgework.lib.habits import Cadence, Outcome
from bridgework.practice import reminders, services
from bridgework.practice.models import CheckIn, Commitment, Reminder
from bridgework.practice.tasks import deliver_reminder, plan_reminders

from .conftest import Clock, on_calendar_edges
from .test_tasks import DATABASE_TASKS

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")

TITLE = "Ask Dana how the reorg is landing for her"
NOTE = "I chickened out on Tuesday, did it on Thursday"
CUE = "after my weekly 1:1 with Sam"
MONDAY = date(2025, 1, 13)
STARTED = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)  # the Monday before, before 9:00
DUE = datetime(2025, 1, 13, 10, 0, tzinfo=UTC)  # Monday, after the 9:00 reminder hour
LINK = re.compile(re.escape(settings.BASE_URL) + r"(/check-in/([^/\s]+)/)")


def at(moment: datetime) -> AbstractContextManager[object]:
    """Set Django's clock to `moment`, ticking a microsecond per look so that the queue
    keeps its order."""
    ticks = itertools.count()
    return mock.patch(
        "django.utils.timezone.now",
        side_effect=lambda: moment + timedelta(microseconds=next(ticks)),
    )


def run_worker(*options: str) -> None:
    call_command("db_worker", "--batch", "--queue-name", "*", *options, verbosity=0)


def commit_weekly(person: Person, *, time_zone: str = "UTC", hour: int = 9) -> Commitment:
    person.time_zone = time_zone
    person.save(update_fields=["time_zone"])
    profile = services.profile_for(person)
    profile.reminder_hour = hour
    profile.save()
    with at(STARTED):
        commitment = services.commit(
            person=person,
            title=TITLE,
            practice="deep-curiosity",
            courage=1,
            cadence=Cadence.WEEKLY,
            cue="",
        )
        # Last week's check-in, with a private note that must never travel by e-mail.
        services.check_in(commitment=commitment, outcome=Outcome.PARTLY, note=NOTE)
    return commitment


@pytest.fixture
def commitment(participant: Person) -> Commitment:
    return commit_weekly(participant)


def sent_links() -> list[str]:
    return [match.group(1) for message in mail.outbox for match in LINK.finditer(str(message.body))]


def reminders_for(commitment: Commitment) -> list[Reminder]:
    return list(Reminder.objects.filter(commitment=commitment))


# --- Exactly once ------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_planners_and_two_workers_send_one_reminder(commitment: Commitment) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS), at(DUE):
        plan_reminders.enqueue()
        plan_reminders.enqueue()
        assert mail.outbox == []

        # The first worker runs both plans; the second finds the first one's delivery
        # waiting and queues nothing. A stray second delivery (a race between planners on
        # two machines) is then shared between two workers, and they run again.
        run_worker("--max-tasks", "2")
        deliveries = DBTaskResult.objects.filter(task_path__endswith="deliver_reminder")
        assert deliveries.count() == 1
        deliver_reminder.enqueue(commitment.pk, MONDAY.isoformat())
        run_worker("--max-tasks", "1")
        run_worker()
        run_worker()

        assert reminders.plan() == 0, "a third plan finds it claimed"

    [message] = mail.outbox
    assert message.to == [commitment.person.email]
    assert sorted(deliveries.values_list("return_value", flat=True), key=bool) == [False, True]
    [reminder] = reminders_for(commitment)
    assert reminder.period_start == MONDAY
    assert reminder.sent_at is not None


def test_delivering_the_same_period_twice_sends_once(commitment: Commitment) -> None:
    with at(DUE):
        assert reminders.deliver(commitment.pk, MONDAY) is True
        assert reminders.deliver(commitment.pk, MONDAY) is False
        assert deliver_reminder.call(commitment.pk, MONDAY.isoformat()) is False

    assert len(mail.outbox) == 1
    assert len(reminders_for(commitment)) == 1


def test_a_worker_killed_after_claiming_never_causes_a_second_email(
    commitment: Commitment,
) -> None:
    # The claim is written, then the worker dies before sending: the retry must not send.
    Reminder.objects.create(commitment=commitment, period_start=MONDAY)

    with at(DUE):
        assert reminders.plan() == 0
        assert reminders.deliver(commitment.pk, MONDAY) is False

    assert mail.outbox == []


def test_next_week_brings_the_next_reminder(commitment: Commitment) -> None:
    with at(DUE):
        reminders.plan()
    # The frozen clock does not reach model defaults: date the claim when it happened.
    Reminder.objects.update(claimed_at=DUE)
    with at(DUE + timedelta(weeks=1)):
        reminders.plan()

    assert [r.period_start for r in reminders_for(commitment)] == [
        MONDAY,
        MONDAY + timedelta(weeks=1),
    ]
    assert len(mail.outbox) == 2


# --- Re-checked at send time ------------------------------------------------------------------


def pause(commitment: Commitment) -> None:
    commitment.pause()


def finish(commitment: Commitment) -> None:
    commitment.finish()


def check_in(commitment: Commitment) -> None:
    services.check_in(commitment=commitment, outcome=Outcome.DONE)


def deactivate(commitment: Commitment) -> None:
    commitment.person.deactivate()


def reminders_off(commitment: Commitment) -> None:
    profile = services.profile_for(commitment.person)
    profile.reminders_on = False
    profile.save()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("change", [pause, finish, check_in, deactivate, reminders_off])
def test_a_reminder_is_checked_again_when_the_worker_sends_it(
    change: Any, commitment: Commitment
) -> None:
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS=DATABASE_TASKS), at(DUE):
        assert reminders.plan() == 1
        change(Commitment.objects.get(pk=commitment.pk))
        run_worker()

    assert mail.outbox == []
    [delivery] = DBTaskResult.objects.all()
    assert delivery.return_value is False


@pytest.mark.parametrize("change", [pause, finish, check_in, deactivate, reminders_off])
def test_nothing_is_planned_for_a_commitment_that_needs_no_reminder(
    change: Any, commitment: Commitment
) -> None:
    with at(DUE):
        change(Commitment.objects.get(pk=commitment.pk))
        assert reminders.plan() == 0

    assert mail.outbox == []
    assert reminders_for(commitment) == []


def test_a_once_commitment_gets_no_reminder(participant: Person) -> None:
    with at(STARTED):
        services.commit(
            person=participant, title=TITLE, practice="deep-curiosity", courage=1, cadence="once"
        )
    with at(DUE):
        assert reminders.plan() == 0


def test_a_paused_commitment_is_reminded_again_after_resuming(commitment: Commitment) -> None:
    with at(DUE):
        commitment.pause()
        assert reminders.plan() == 0
    next_monday = DUE + timedelta(weeks=1)
    with at(next_monday):
        Commitment.objects.get(pk=commitment.pk).resume()
        assert reminders.plan() == 1

    assert len(mail.outbox) == 1


# --- Due at the person's own hour -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_zone", "local_monday"),
    [
        ("America/New_York", date(2025, 3, 3)),  # winter time, UTC-5
        ("America/New_York", date(2025, 3, 10)),  # the day after clocks went forward, UTC-4
        ("Asia/Tokyo", date(2025, 3, 10)),  # Monday 9:00 there is Monday 0:00 UTC
        ("Pacific/Auckland", date(2025, 4, 7)),  # the day after clocks went back there
    ],
)
def test_a_reminder_is_due_from_the_reminder_hour_in_the_persons_time_zone(
    time_zone: str, local_monday: date, participant: Person
) -> None:
    commitment = commit_weekly(participant, time_zone=time_zone, hour=9)
    nine = datetime.combine(local_monday, datetime.min.time(), ZoneInfo(time_zone)).replace(hour=9)
    just_before, just_after = nine - timedelta(minutes=1), nine + timedelta(minutes=1)

    with at(just_before.astimezone(UTC)):
        assert reminders.due_period(commitment, just_before.astimezone(UTC)) is None
        assert reminders.plan() == 0
    assert mail.outbox == []

    with at(just_after.astimezone(UTC)):
        assert reminders.due_period(commitment, just_after.astimezone(UTC)) == local_monday
        assert reminders.plan() == 1
    assert len(mail.outbox) == 1
    assert [r.period_start for r in reminders_for(commitment)] == [local_monday]


def test_a_later_reminder_hour_is_respected(participant: Person) -> None:
    commitment = commit_weekly(participant, hour=18)

    with at(DUE):
        assert reminders.plan() == 0
    with at(DUE.replace(hour=18)):
        assert reminders.plan() == 1
    assert [r.period_start for r in reminders_for(commitment)] == [MONDAY]


def commit_at(person: Person, moment: datetime, cadence: str, **extra: Any) -> Commitment:
    with time_machine.travel(moment, tick=False):
        return services.commit(
            person=person,
            title=TITLE,
            practice="deep-curiosity",
            courage=1,
            cadence=cadence,
            **extra,
        )


def due_at(commitment: Commitment, moment: datetime) -> date | None:
    commitment.refresh_from_db()
    return reminders.due_period(commitment, moment)


def test_a_weekly_commitment_made_mid_week_is_first_reminded_about_the_next_full_week(
    participant: Person,
) -> None:
    wednesday = datetime(2025, 1, 8, 11, 0, tzinfo=UTC)
    commitment = commit_at(participant, wednesday, Cadence.WEEKLY)

    # Its first, partial week asks for nothing: not that day, nor on Sunday evening.
    for later in [timedelta(hours=2), timedelta(days=1), timedelta(days=4, hours=10)]:
        assert due_at(commitment, wednesday + later) is None, later
    with time_machine.travel(wednesday + timedelta(days=4, hours=10), tick=False):
        assert reminders.plan() == 0
    # Monday is the first full week: the reminder is about that week, not the one before.
    with time_machine.travel(DUE, tick=False):
        assert reminders.plan() == 1
    assert [r.period_start for r in reminders_for(commitment)] == [MONDAY]


def test_a_daily_commitment_is_first_reminded_the_next_day_never_a_minute_after(
    participant: Person,
) -> None:
    wednesday_after_the_hour = datetime(2025, 1, 8, 14, 0, tzinfo=UTC)
    commitment = commit_at(participant, wednesday_after_the_hour, Cadence.DAILY)

    with time_machine.travel(wednesday_after_the_hour + timedelta(minutes=1), tick=False):
        assert reminders.plan() == 0
    with time_machine.travel(wednesday_after_the_hour + timedelta(hours=5), tick=False):
        assert reminders.plan() == 0
    # Thursday before the reminder hour: still nothing; after it, Thursday's reminder.
    thursday = datetime(2025, 1, 9, 8, 0, tzinfo=UTC)
    assert due_at(commitment, thursday) is None
    with time_machine.travel(thursday + timedelta(hours=2), tick=False):
        assert reminders.plan() == 1
    assert [r.period_start for r in reminders_for(commitment)] == [thursday.date()]


def test_chosen_days_are_first_reminded_on_the_next_chosen_day(participant: Person) -> None:
    wednesday = datetime(2025, 1, 8, 7, 0, tzinfo=UTC)
    commitment = commit_at(participant, wednesday, Cadence.WEEKDAYS, weekdays=[0, 2])

    assert due_at(commitment, wednesday + timedelta(hours=5)) is None
    assert due_at(commitment, wednesday + timedelta(days=1, hours=5)) is None
    assert due_at(commitment, datetime(2025, 1, 13, 10, 0, tzinfo=UTC)) == date(2025, 1, 13)


def test_no_reminder_within_an_hour_of_committing_even_as_a_new_period_starts(
    participant: Person,
) -> None:
    # A daily commitment at 20:30 on Wednesday in London; then the person sets their time
    # zone to Kiritimati (UTC+14), where it is already Thursday morning: a new day, past
    # the reminder hour, yet only minutes after committing.
    evening = datetime(2025, 1, 8, 20, 30, tzinfo=UTC)
    commitment = commit_at(participant, evening, Cadence.DAILY)
    participant.time_zone = "Pacific/Kiritimati"
    participant.save(update_fields=["time_zone"])

    assert due_at(commitment, evening + timedelta(minutes=15)) is None
    assert due_at(commitment, evening + timedelta(minutes=59)) is None
    assert due_at(commitment, evening + timedelta(minutes=61)) == date(2025, 1, 9)


def test_the_quiet_hour_holds_even_when_the_first_full_period_has_begun(
    participant: Person,
) -> None:
    # A commitment whose start day was moved back (as the demo does) is past its first
    # period at once; it still waits an hour.
    moment = datetime(2025, 1, 8, 12, 0, tzinfo=UTC)
    commitment = commit_at(participant, moment, Cadence.DAILY)
    Commitment.objects.filter(pk=commitment.pk).update(started_on=date(2025, 1, 1))

    assert due_at(commitment, moment + timedelta(minutes=30)) is None
    assert due_at(commitment, moment + timedelta(minutes=61)) == moment.date()


# --- On the calendar's edges --------------------------------------------------------------------


def own_zone_profile(person: Person) -> ZoneInfo:
    """The person lives in the zone of the day's clock, so its daylight-saving change is theirs."""
    person.time_zone = settings.TIME_ZONE
    person.save(update_fields=["time_zone"])
    profile = services.profile_for(person)
    profile.reminder_hour = 9
    profile.save()
    return ZoneInfo(settings.TIME_ZONE)


def local_nine(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(9), zone)


@on_calendar_edges
def test_a_daily_commitment_made_on_a_calendar_edge_is_reminded_each_next_local_morning(
    participant: Person, clock: Clock
) -> None:
    zone = own_zone_profile(participant)
    commitment = services.commit(
        person=participant, title=TITLE, practice="deep-curiosity", courage=1, cadence="daily"
    )
    today = clock.now().astimezone(zone).date()
    assert commitment.started_on == today
    assert reminders.plan() == 0

    for later in (1, 2):
        day = today + timedelta(days=later)
        clock.move_to(local_nine(day, zone) - timedelta(minutes=1))
        assert reminders.plan() == 0, f"before nine on {day}"
        clock.move_to(local_nine(day, zone) + timedelta(minutes=1))
        assert reminders.plan() == 1, f"after nine on {day}"

    assert [r.period_start for r in reminders_for(commitment)] == [
        today + timedelta(days=1),
        today + timedelta(days=2),
    ]
    assert len(mail.outbox) == 2


@on_calendar_edges
def test_a_weekly_commitment_made_on_a_calendar_edge_is_reminded_on_the_next_local_monday(
    participant: Person, clock: Clock
) -> None:
    zone = own_zone_profile(participant)
    commitment = commit_at(participant, clock.now(), Cadence.WEEKLY)
    today = clock.now().astimezone(zone).date()
    monday = today + timedelta(days=7 - today.weekday())

    clock.move_to(datetime.combine(monday, time(), zone) - timedelta(minutes=1))
    assert reminders.plan() == 0, "nothing during the first, partial week"
    clock.move_to(local_nine(monday, zone) + timedelta(minutes=1))
    assert reminders.plan() == 1

    assert [r.period_start for r in reminders_for(commitment)] == [monday]


# --- What the e-mail says --------------------------------------------------------------------


def test_the_email_links_to_a_one_click_check_in_and_holds_nothing_private(
    participant: Person,
) -> None:
    commitment = commit_weekly(participant)
    Commitment.objects.filter(pk=commitment.pk).update(cadence=Cadence.CUE)
    commitment.cue = CUE
    commitment.save(update_fields=["cue"])

    with at(DUE):
        assert reminders.plan() == 1

    [message] = mail.outbox
    for private in [TITLE, NOTE, CUE, "Dana", "chickened"]:
        assert private not in message.subject
        assert private not in message.body
    assert participant.chosen_name in message.body
    [path] = sent_links()
    token = path.split("/")[2]
    assert reminders.read_check_in_token(token) == (commitment.pk, MONDAY)

    client = Client()
    landing = client.get(path)
    assert landing.status_code == 200
    assert TITLE not in landing.content.decode()
    assert client.post(path, {"outcome": "done"}).status_code == 200
    check_in = CheckIn.objects.get(commitment=commitment, period_start=MONDAY)
    assert check_in.outcome == Outcome.DONE


# --- Through a real SMTP server ----------------------------------------------------------------


class Recorder:
    """An aiosmtpd handler that keeps every message it is given."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], Message]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content
        self.received.append(
            (envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(content))
        )
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Recorder, int]]:
    recorder, port = Recorder(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


def test_a_reminder_arrives_through_a_real_smtp_server(
    smtp_server: tuple[Recorder, int], commitment: Commitment, participant: Person
) -> None:
    recorder, port = smtp_server
    # The test runner swaps every mailer for the in-memory one; put real SMTP back.
    smtp = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "use_tls": False, "timeout": 120},
        }
    }

    with override_settings(MAILERS=smtp), at(DUE):
        assert reminders.deliver(commitment.pk, MONDAY) is True

    assert mail.outbox == [], "it went through SMTP, not the test outbox"
    [(sender, recipients, message)] = recorder.received
    assert recipients == [participant.email]
    assert sender in settings.DEFAULT_FROM_EMAIL
    assert message["Subject"] == "Time for a quick check-in"
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    text = body.decode(message.get_content_charset() or "utf-8")
    assert TITLE not in text
    assert NOTE not in text
    [match] = LINK.finditer(text)
    assert reminders.read_check_in_token(match.group(2)) == (commitment.pk, MONDAY)
    assert Client().get(match.group(1)).status_code == 200


def test_a_reminder_link_still_works_after_its_owner_moves_west(participant: Person) -> None:
    """The reminder's day came in the person's zone when it was sent; in the zone they have
    moved to it may be the day before. The link still records that day."""
    participant.time_zone = "Pacific/Auckland"
    participant.save(update_fields=["time_zone"])
    with time_machine.travel(datetime(2026, 3, 2, 20, 0, tzinfo=UTC), tick=False):
        commitment = services.commit(
            person=participant, title="t", practice="deep-curiosity", courage=1, cadence="daily"
        )
    # Wednesday 09:00 in Auckland (Tuesday 20:00 UTC): the reminder for Wednesday goes out.
    moment = datetime(2026, 3, 3, 20, 0, tzinfo=UTC)
    with time_machine.travel(moment, tick=False):
        period = reminders.due_period(commitment, moment)
        assert period == date(2026, 3, 4)
        link = f"/check-in/{reminders.check_in_token(commitment, period)}/"
        participant.time_zone = "Europe/London"  # still Tuesday there
        participant.save(update_fields=["time_zone"])
        response = Client().post(link, {"outcome": "done"})
    assert response.status_code == 200
    assert CheckIn.objects.filter(commitment=commitment, period_start=date(2026, 3, 4)).exists()
