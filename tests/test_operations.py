"""Running the site: key safety, /healthz, the 503 page while the database is away, status.

These run in the test process. Restores, start-up refusals and a real database outage run
the real command in a subprocess: tests/test_operations_cli.py.
"""

from __future__ import annotations

import io
import json
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from unittest import mock

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import OperationalError, ProgrammingError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bridgework.accounts import services
from bridgework.accounts.encryption import key_cache
from bridgework.accounts.models import DataKey, Organisation, Person
from bridgework.accounts.sessions import SessionStore
from bridgework.insights.models import Release
from bridgework.jobs.models import WorkerHeartbeat
from bridgework.lib import keyfiles
from bridgework.operations import health, keys, restore
from bridgework.operations.heartbeat import last_seen, record_heartbeat
from bridgework.operations.models import BackupRecord, Heartbeat
from bridgework.operations.tasks import worker_heartbeat

NOON = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def clock_at(moment: datetime) -> mock._patch[Any]:
    """Django's clock (timezone.now) stopped at `moment` for the `with` block."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def swap_key_file(data_dir: Path, settings: Any) -> None:
    """What a restore without its master_keys looks like: a brand-new key file."""
    (data_dir / keyfiles.MASTER_KEYS_FILE).unlink()
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(data_dir)
    key_cache.clear()


# --- Key safety ------------------------------------------------------------------------------


def test_the_key_check_passes_when_the_key_file_opens_every_data_key(
    own_key_dir: Path, participant: Person
) -> None:
    services.save_intention(person=participant, intention="Listen first")

    assert keys.check_master_keys() is None


def test_the_key_check_names_the_master_key_the_key_file_lacks(
    own_key_dir: Path, participant: Person, settings: Any
) -> None:
    services.save_intention(person=participant, intention="Listen first")
    [wrapped_by] = DataKey.objects.values_list("master_key_id", flat=True)
    swap_key_file(own_key_dir, settings)

    problem = keys.check_master_keys()

    assert problem is not None
    assert f"master key {wrapped_by}" in problem
    assert str(own_key_dir / keyfiles.MASTER_KEYS_FILE) in problem
    assert "\n" not in problem
    assert problem.endswith(".")


def test_the_key_check_notices_a_different_key_under_the_same_id(
    own_key_dir: Path, participant: Person, settings: Any
) -> None:
    services.save_intention(person=participant, intention="Listen first")
    [(key_id, _)] = settings.FIELD_ENCRYPTION_KEYS
    impostor = [(key_id, keyfiles.new_master_key()[1])]
    keyfiles.replace_master_keys(own_key_dir, impostor)
    settings.FIELD_ENCRYPTION_KEYS = impostor

    problem = keys.check_master_keys()

    assert problem is not None
    assert f"Master key {key_id}" in problem
    assert "different key" in problem


def test_manage_check_reports_the_missing_master_key(
    own_key_dir: Path, participant: Person, settings: Any
) -> None:
    services.save_intention(person=participant, intention="Listen first")
    [wrapped_by] = DataKey.objects.values_list("master_key_id", flat=True)
    swap_key_file(own_key_dir, settings)

    with pytest.raises(SystemCheckError, match=f"bridgework.E001.*master key {wrapped_by}"):
        call_command("check", stdout=io.StringIO(), stderr=io.StringIO())


def test_an_empty_database_needs_no_particular_master_key(own_key_dir: Path, db: None) -> None:
    assert keys.check_master_keys() is None


# --- /healthz --------------------------------------------------------------------------------


def healthz() -> tuple[int, dict[str, Any]]:
    response = Client().get(reverse("healthz"))
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, json.loads(response.content)


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


MB = 1024 * 1024


def test_healthz_reports_each_check_when_all_is_well(db: None) -> None:
    status, report = healthz()

    assert status == 200
    assert report["status"] == "ok"
    assert report["database"] == "ok"
    assert report["database_write"] == "ok"
    assert report["disk"] == "ok"
    assert report["disk_free_mb"] > 0
    assert report["oldest_queued_task_seconds"] is None


def test_healthz_answers_503_when_the_data_directory_is_almost_full(
    db: None, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    settings.HEALTH_MIN_FREE_DISK_MB = 200
    monkeypatch.setattr(
        shutil, "disk_usage", lambda path: DiskUsage(100_000 * MB, 99_990 * MB, 10 * MB)
    )

    status, report = healthz()

    assert status == 503
    assert report["status"] == "error"
    assert report["disk"] == "low"
    assert report["disk_free_mb"] == 10


def test_healthz_answers_503_when_the_database_refuses_writes(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def disk_full(name: str) -> None:
        raise OperationalError("database or disk is full")

    monkeypatch.setattr(health, "record_heartbeat", disk_full)

    status, report = healthz()

    assert status == 503
    assert report["database"] == "ok"
    assert report["database_write"] == "failed"


def test_healthz_writes_a_row_when_it_is_asked(db: None) -> None:
    with clock_at(NOON):
        healthz()

    assert Heartbeat.objects.get(name__startswith="healthz@").seen_at == NOON


def test_a_flood_of_probes_checks_and_writes_at_most_once_a_second(db: None) -> None:
    seconds = iter([100.0, 100.9, 101.0])

    def clock() -> float:
        return next(seconds)

    with clock_at(NOON):
        first = health.probe_health(clock)
    with clock_at(NOON + timedelta(minutes=1)), CaptureQueriesContext(connection) as asked:
        again = health.probe_health(clock)
    assert again is first and len(asked) == 0, "within the second: the same answer, no query"
    assert Heartbeat.objects.get(name__startswith="healthz@").seen_at == NOON

    with clock_at(NOON + timedelta(minutes=2)):
        later = health.probe_health(clock)
    assert later is not first
    assert Heartbeat.objects.get(name__startswith="healthz@").seen_at == NOON + timedelta(minutes=2)


def test_healthz_answers_503_when_the_database_is_unreachable(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An unreachable database fails the write as well as the plain read.
    monkeypatch.setattr(health, "_database_accepts_a_write", lambda: False)
    monkeypatch.setattr(health, "_database_answers", lambda: False)

    status, report = healthz()

    assert status == 503
    assert report["database"] == "unreachable"
    assert report["database_write"] == "not tried"


def test_healthz_reports_how_long_the_oldest_queued_task_has_waited(db: None) -> None:
    with clock_at(NOON - timedelta(minutes=7)):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path="bridgework.practice.tasks.plan_reminders",
            backend_name="default",
            run_after=timezone.now(),
        )

    with clock_at(NOON):
        status, report = healthz()

    assert status == 200
    assert report["oldest_queued_task_seconds"] == 7 * 60


@pytest.mark.parametrize(
    ("worker_seen", "expected"),
    [(None, 503), (timedelta(minutes=1), 200), (timedelta(minutes=6), 503)],
    ids=["never", "a-minute-ago", "six-minutes-ago"],
)
def test_healthz_in_production_needs_a_worker_seen_in_the_last_five_minutes(
    db: None, settings: Any, worker_seen: timedelta | None, expected: int
) -> None:
    settings.HEALTH_REQUIRE_WORKER = True
    if worker_seen is not None:
        with clock_at(NOON - worker_seen):
            worker_heartbeat.call()

    with clock_at(NOON):
        status, report = healthz()

    assert status == expected
    assert report["worker"] == ("ok" if expected == 200 else "silent")


def test_without_a_required_worker_a_silent_one_is_reported_but_not_fatal(db: None) -> None:
    status, report = healthz()

    assert status == 200
    assert report["worker"] == "silent"
    assert report["worker_last_seen_seconds"] is None


def test_the_heartbeat_task_records_the_worker_on_this_host(db: None) -> None:
    with clock_at(NOON):
        worker_heartbeat.enqueue()  # the test settings run tasks at once
        record_heartbeat("healthz")

    assert last_seen() == NOON
    assert Heartbeat.objects.filter(name__startswith="worker@").count() == 1


# --- While the database is away ------------------------------------------------------------


def test_a_database_outage_answers_503_with_retry_after_and_a_kind_page(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable(self: SessionStore) -> None:
        raise OperationalError('connection to server at "127.0.0.1" failed: Connection refused')

    monkeypatch.setattr(SessionStore, "_get_session_from_db", unreachable)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-look-up"

    response = client.get(reverse("home"))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "back in a moment" in page
    assert "Nothing you had already saved is lost" in page
    assert "Connection refused" not in page


def test_a_bug_in_a_query_is_still_a_500_not_an_outage(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: SessionStore) -> None:
        raise ProgrammingError("column does not exist")

    monkeypatch.setattr(SessionStore, "_get_session_from_db", broken)
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "a-session-the-database-would-look-up"

    response = client.get(reverse("home"))

    assert response.status_code == 500
    assert not response.has_header("Retry-After")


# --- bridgework status and backup records ------------------------------------------------------


def queue(
    task_path: str, *, at: datetime, status: str = "READY", worker: str | None = None
) -> None:
    with clock_at(at):
        DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=task_path,
            backend_name="default",
            run_after=at,
            status=status,
            started_at=at if status == "RUNNING" else None,
            worker_ids=[worker] if worker else [],
        )


def test_status_lists_the_queue_by_task_stuck_tasks_releases_and_the_last_backup(
    organisation: Organisation,
) -> None:
    queue("bridgework.practice.tasks.send_reminder", at=NOON - timedelta(minutes=3))
    queue("bridgework.practice.tasks.send_reminder", at=NOON - timedelta(minutes=1))
    queue("bridgework.accounts.tasks.send_invitation", at=NOON - timedelta(seconds=30))
    queue("bridgework.reflection.tasks.export", at=NOON - timedelta(hours=2), status="RUNNING")
    # One task's worker died two hours ago; another's is busy and beating.
    queue(
        "bridgework.community.tasks.send_digests",
        at=NOON - timedelta(minutes=1),
        status="RUNNING",
        worker="busy",
    )
    WorkerHeartbeat.objects.create(
        worker_id="busy", started_at=NOON - timedelta(hours=1), seen_at=NOON - timedelta(seconds=5)
    )
    Release.objects.create(
        organisation=organisation,
        month=date(2026, 2, 1),
        budget_rho=0.5,
        spent_rho=0.5,
        threshold=5,
        cohort_limit=2,
        created_at=NOON - timedelta(minutes=4),
    )
    BackupRecord.objects.create(
        made_at=NOON - timedelta(hours=5), path="/backups/b.dump", size_bytes=1234, vendor="sqlite"
    )
    out = io.StringIO()

    with clock_at(NOON):
        call_command("status", stdout=out)

    lines = out.getvalue().splitlines()
    assert "Queue: 3 tasks waiting" in lines
    assert any("2  bridgework.practice.tasks.send_reminder" in line for line in lines)
    assert any("1  bridgework.accounts.tasks.send_invitation" in line for line in lines)
    assert "Stuck tasks (their worker has gone quiet): 1" in lines
    assert any("bridgework.reflection.tasks.export (started" in line for line in lines)
    assert not any("send_digests" in line for line in lines)
    assert "Insights last released: 2026-03-10 11:56:00 UTC (4 min ago)" in lines
    assert any(
        line.startswith("Last backup: 2026-03-10 07:00:00 UTC (5 h ago), /backups/b.dump")
        for line in lines
    )
    assert "Key file: opens the data keys in the database" in lines


# No open transaction: SQLite cannot copy a database that a transaction is writing.
def test_a_backup_is_recorded_for_status(transactional_db: None, tmp_path: Path) -> None:
    if connection.vendor == "postgresql" and not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed.")
    output = tmp_path / "copy.backup"

    with clock_at(NOON):
        call_command("backup", "--output", str(output), stdout=io.StringIO())

    record = BackupRecord.objects.get()
    assert record.made_at == NOON
    assert record.path == str(output.resolve())
    assert record.size_bytes == output.stat().st_size


# --- Reading PostgreSQL backups ------------------------------------------------------------


def test_the_copy_stream_parser_counts_rows_and_reads_wrapped_keys() -> None:
    stream = [
        "--\n",
        "-- Data for Name: accounts_datakey; Type: TABLE DATA\n",
        "COPY public.accounts_datakey (id, person_id, wrapped_key, master_key_id, created_at)"
        " FROM stdin;\n",
        "7\t3\t\\\\x0102ff\tab12cd34\t2026-03-10 12:00:00+00\n",
        "8\t4\t\\\\x00\tab12cd34\t2026-03-10 12:00:00+00\n",
        "\\.\n",
        "COPY public.accounts_person (id, email) FROM stdin;\n",
        "3\tline\\nbreak@example.com\n",
        "\\.\n",
        "COPY public.empty (id) FROM stdin;\n",
        "\\.\n",
    ]

    contents = restore.parse_copy_stream(stream)

    assert contents.row_counts == {"accounts_datakey": 2, "accounts_person": 1, "empty": 0}
    assert contents.wrapped_keys == [(7, "ab12cd34", b"\x01\x02\xff"), (8, "ab12cd34", b"\x00")]


def test_a_backup_whose_keys_the_key_file_lacks_is_refused_before_anything_is_touched(
    own_key_dir: Path,
) -> None:
    contents = restore.BackupContents(
        row_counts={"accounts_datakey": 1}, wrapped_keys=[(1, "0ld0ld00", b"\x00" * 60)]
    )

    with pytest.raises(restore.RestoreError, match="master key 0ld0ld00") as raised:
        restore.refuse_unless_keys_open(contents)

    assert str(raised.value).startswith("The backup holds 1 data key wrapped by")


def test_a_file_that_is_not_a_bridgework_backup_is_refused(own_key_dir: Path) -> None:
    with pytest.raises(restore.RestoreError, match="not a Bridgework backup"):
        restore.refuse_unless_keys_open(restore.BackupContents(row_counts={"other": 3}))
