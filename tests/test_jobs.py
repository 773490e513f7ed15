"""Background work: leases that outlive a dead worker, one scheduled run per slot however
many workers start, an outbox that sends each e-mail once, and a worker that waits out a
database error instead of exiting."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from bridgework.accounts.models import Person
from bridgework.cohorts import reminders as session_reminders
from bridgework.jobs import leases, outbox, schedule
from bridgework.jobs.models import OutgoingEmail, ScheduledRun, WorkerHeartbeat
from bridgework.jobs.worker import LeasedWorker
from bridgework.practice.tasks import plan_reminders

from .cohorts_support import make_cohort
from .test_tasks import DATABASE_TASKS

NIGHT = datetime(2025, 3, 4, 1, 0, tzinfo=UTC)
LEASE = 60


@pytest.fixture(autouse=True)
def _database_queue(settings: object) -> Iterator[None]:
    settings.TASK_LEASE_SECONDS = LEASE  # type: ignore[attr-defined]
    with override_settings(TASKS=DATABASE_TASKS):
        yield


def at(moment: datetime) -> Any:
    """Django's clock stopped at `moment`."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def claimed_task(worker_id: str, *, earlier_workers: int = 0) -> DBTaskResult[..., Any]:
    plan_reminders.enqueue()
    task = DBTaskResult.objects.get()
    task.worker_ids = [f"earlier-{n}" for n in range(earlier_workers)]
    task.claim(worker_id)
    return task


# --- Leases ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_task_whose_worker_went_quiet_is_queued_again() -> None:
    with at(NIGHT):
        leases.beat("killed")
        task = claimed_task("killed")
    with at(NIGHT + timedelta(seconds=LEASE - 1)):
        assert leases.release_expired() == 0, "still within the lease"
    with at(NIGHT + timedelta(seconds=LEASE + 1)):
        assert leases.release_expired() == 1

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().get() == task


@pytest.mark.django_db
def test_a_task_of_a_worker_that_keeps_beating_stays_with_it() -> None:
    with at(NIGHT):
        leases.beat("busy")
        task = claimed_task("busy")
    with at(NIGHT + timedelta(hours=2)):
        leases.beat("busy")  # a long task: the heartbeat thread keeps going
        assert leases.release_expired() == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_a_task_cut_short_by_a_database_error_goes_back_once_its_worker_is_idle() -> None:
    leases.beat("me")
    task = claimed_task("me")

    assert leases.release_expired(idle_worker="other") == 0
    assert leases.release_expired(idle_worker="me") == 1
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY


@pytest.mark.django_db
def test_a_task_that_keeps_killing_its_worker_is_failed_not_retried_for_ever() -> None:
    task = claimed_task("fifth", earlier_workers=leases.MAX_ATTEMPTS - 1)

    assert leases.release_expired() == 0
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "died 5 times" in task.traceback


@pytest.mark.django_db
def test_a_worker_that_stops_cleanly_gives_up_its_heartbeat() -> None:
    leases.beat("polite")
    leases.forget("polite")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_two_beats_as_a_worker_starts_write_one_heartbeat_and_no_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The worker's loop and its heartbeat thread both beat at once: each finds no row to
    # update, and the second insert meets the first's row.
    leases.beat("starting")
    monkeypatch.setattr(QuerySet, "update", lambda self, **values: 0)
    leases.beat("starting")
    assert WorkerHeartbeat.objects.filter(worker_id="starting").count() == 1


# --- The schedule ------------------------------------------------------------------------------


NIGHTLY = "bridgework.insights.tasks.release_insights"


def queued(path: str) -> int:
    return DBTaskResult.objects.filter(task_path=path).count()


@pytest.mark.django_db
def test_two_worker_starts_schedule_one_nightly_rebuild(settings: object) -> None:
    settings.PERIODIC_TASKS = [(NIGHTLY, 86400)]  # type: ignore[attr-defined]

    # Each worker runs the schedule as soon as it starts.
    assert schedule.queue_due(NIGHT) == [NIGHTLY]
    assert schedule.queue_due(NIGHT + timedelta(minutes=3)) == []
    assert schedule.queue_due(NIGHT + timedelta(hours=20)) == []
    assert queued(NIGHTLY) == 1

    assert schedule.queue_due(NIGHT + timedelta(days=1)) == [NIGHTLY], "the next night"
    assert queued(NIGHTLY) == 2


@pytest.mark.django_db
def test_each_periodic_task_is_queued_once_per_its_own_period(settings: object) -> None:
    every_minute = "bridgework.practice.tasks.plan_reminders"
    settings.PERIODIC_TASKS = [(every_minute, 60), (NIGHTLY, 86400)]  # type: ignore[attr-defined]

    for second in range(0, 180, 5):  # three minutes of two workers, each looking every 5 s
        schedule.queue_due(NIGHT + timedelta(seconds=second))
        schedule.queue_due(NIGHT + timedelta(seconds=second))

    assert queued(every_minute) == 3
    assert queued(NIGHTLY) == 1


@pytest.mark.django_db
def test_old_schedule_claims_are_cleared_away(settings: object) -> None:
    settings.PERIODIC_TASKS = [(NIGHTLY, 86400)]  # type: ignore[attr-defined]
    schedule.queue_due(NIGHT)
    schedule.queue_due(NIGHT + timedelta(days=30))
    assert ScheduledRun.objects.count() == 1


# --- Planning does not pile up deliveries ------------------------------------------------------


@pytest.mark.django_db
def test_planning_session_reminders_twice_queues_each_once(
    facilitator: Person, participant: Person
) -> None:
    cohort = make_cohort(facilitator, [participant], start=date(2025, 3, 10), sessions=1)
    now = cohort.sessions.get().starts_at - timedelta(hours=2)

    assert session_reminders.plan(now) == 2  # the member and the facilitator
    assert session_reminders.plan(now) == 0, "their deliveries are still waiting"
    assert DBTaskResult.objects.filter(task_path__endswith="deliver_session_reminder").count() == 2


# --- The outbox --------------------------------------------------------------------------------


def queue_one(key: str = "test:1") -> OutgoingEmail | None:
    return outbox.queue(key=key, to="sam@acme.test", subject="Hello", body="A one-time link")


@pytest.mark.django_db
def test_a_queued_email_is_sent_once_under_its_own_message_id() -> None:
    email = queue_one()
    assert email is not None
    assert "A one-time link" not in email.body, "encrypted while it waits"
    assert queue_one() is None, "the same key queues nothing"

    assert outbox.send(email) is True
    assert outbox.send(email) is False
    assert outbox.send_due() == 0

    [message] = mail.outbox
    assert message.body == "A one-time link"
    assert message.extra_headers["Message-ID"] == email.message_id
    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.body == ""


@pytest.mark.django_db
def test_an_email_held_by_a_dead_worker_is_sent_when_its_lease_ends() -> None:
    with at(NIGHT):
        email = queue_one()
        assert email is not None
        assert outbox._claim(email.pk)  # a worker claims it and is killed
        assert outbox.send_due() == 0
    with at(NIGHT + timedelta(seconds=LEASE + 1)):
        assert outbox.send_due() == 1
    [message] = mail.outbox
    assert message.extra_headers["Message-ID"] == email.message_id


@pytest.mark.django_db
def test_a_mail_server_that_is_away_delays_the_email_and_loses_nothing(settings: object) -> None:
    closed = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "use_tls": False, "timeout": 60},
        }
    }
    with at(NIGHT):
        email = queue_one()
        with override_settings(MAILERS=closed):
            assert outbox.send(email) is False
    with at(NIGHT + timedelta(seconds=LEASE + 1)):
        assert outbox.send_due() == 0, "it waits longer after each failure"
    with at(NIGHT + timedelta(hours=2)):
        assert outbox.send_due() == 1
    assert len(mail.outbox) == 1


# --- The worker waits out database errors ------------------------------------------------------


def worker(**options: object) -> LeasedWorker:
    return LeasedWorker(
        schedule_periodic=False,
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="patient",
        excluded_queue_names=[],
    )


def test_the_worker_rides_out_a_database_outage_instead_of_exiting() -> None:
    patient = worker()
    gone = OperationalError("server closed the connection unexpectedly")
    steps = mock.Mock(side_effect=[gone, gone, gone, True, False])
    with (
        mock.patch.object(patient, "step", steps),
        mock.patch("bridgework.jobs.worker.time.sleep") as sleep,
        mock.patch.object(leases, "beat"),
        mock.patch.object(leases, "forget"),
    ):
        patient.run()

    assert steps.call_count == 5, "it kept going until the queue was empty"
    assert [pause.args[0] for pause in sleep.call_args_list] == [0.5, 1.0, 2.0]


def test_a_locked_sqlite_database_is_waited_out_too() -> None:
    patient = worker()
    locked = OperationalError("database is locked")
    steps = mock.Mock(side_effect=[locked, False])
    with (
        mock.patch.object(patient, "step", steps),
        mock.patch("bridgework.jobs.worker.time.sleep"),
        mock.patch.object(leases, "beat"),
        mock.patch.object(leases, "forget"),
    ):
        patient.run()
    assert steps.call_count == 2


def test_a_lock_is_noted_as_a_busy_database_and_an_outage_as_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    patient = worker()
    locked = OperationalError("database is locked")
    gone = OperationalError("server closed the connection unexpectedly")
    steps = mock.Mock(side_effect=[locked, gone, False])
    with (
        caplog.at_level(logging.INFO, logger="bridgework.jobs.worker"),
        mock.patch.object(patient, "step", steps),
        mock.patch("bridgework.jobs.worker.time.sleep"),
        mock.patch.object(leases, "beat"),
        mock.patch.object(leases, "forget"),
    ):
        patient.run()

    notes = [(r.levelname, r.getMessage()) for r in caplog.records if "again" in r.getMessage()]
    assert notes == [
        ("INFO", "worker: the database is busy with another writer; trying again in 0.5 s"),
        ("WARNING", "worker: database error (OperationalError); trying again in 1.0 s"),
    ]
