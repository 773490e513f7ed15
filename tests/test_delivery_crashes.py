"""A worker killed mid-delivery loses nothing and repeats nothing a mailbox would keep.

Each test runs real processes against a throwaway SQLite data directory and a real SMTP
server: a first worker is killed with SIGKILL at a chosen moment (after its claim and
before the mail server has the message, or after the mail server accepted it and before
"sent" was written), then a second worker recovers. Leases are two seconds long so the
recovery comes soon; every wait polls with a generous limit and never races a sleep.
"""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from .subprocess_support import PATIENCE, REPO, child_environment, copy_data_dir, own_sqlite

LEASE_SECONDS = "2"

pytestmark = [pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL"), own_sqlite]


class Mailbox:
    """An aiosmtpd handler keeping each message the way a mail store would see it."""

    def __init__(self) -> None:
        self.received: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def message_ids(self) -> set[str]:
        return {str(message["Message-ID"]) for message in self.received}

    def bodies(self) -> list[str]:
        texts = []
        for message in self.received:
            payload = message.get_payload(decode=True)
            assert isinstance(payload, bytes)
            texts.append(payload.decode(message.get_content_charset() or "utf-8"))
        return texts


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@pytest.fixture
def data_dir(migrated_data_dir: Path, tmp_path: Path) -> Path:
    return copy_data_dir(migrated_data_dir, tmp_path / "data")


def environment(data_dir: Path, smtp_port: int | None = None) -> dict[str, str]:
    # `local`, not `test`: tasks go through the database queue, as in production.
    mail = {}
    if smtp_port is not None:
        mail = {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_USE_TLS": "false"}
    return child_environment(
        data_dir,
        env="local",
        BRIDGEWORK_TASK_LEASE_SECONDS=LEASE_SECONDS,
        BRIDGEWORK_LOG_LEVEL="WARNING",
        **mail,
    )


PRELUDE = """
import os, signal, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
django.setup()
"""


def python(code: str, *, data_dir: Path, smtp_port: int | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        cwd=REPO,
        env=environment(data_dir, smtp_port),
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def start_worker(code: str, *, data_dir: Path, smtp_port: int) -> subprocess.Popen[str]:
    run = "from django.core.management import call_command\n"
    run += "call_command('worker', '--no-schedule', '--interval', '0.2')\n"
    return subprocess.Popen(
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code) + run],
        cwd=REPO,
        env=environment(data_dir, smtp_port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


# The kill points, patched into the first worker only.
KILL_BEFORE_SEND = """
from django.core.mail.backends import smtp
def die(self, messages):
    os.kill(os.getpid(), signal.SIGKILL)
smtp.EmailBackend.send_messages = die
"""
KILL_AFTER_SEND = """
from django.core.mail.backends import smtp
real_send = smtp.EmailBackend.send_messages
def send_then_die(self, messages):
    real_send(self, messages)
    os.kill(os.getpid(), signal.SIGKILL)
smtp.EmailBackend.send_messages = send_then_die
"""
KILL_WHILE_EXPORTING = """
from bridgework.reflection import export
def die(person):
    os.kill(os.getpid(), signal.SIGKILL)
export.everything_of = die
"""


def query(data_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(data_dir / "bridgework.sqlite3", timeout=PATIENCE) as db:
        return db.execute(sql).fetchall()


def unfinished_tasks(data_dir: Path) -> int:
    return int(
        query(
            data_dir,
            "SELECT count(*) FROM django_tasks_database_dbtaskresult"
            " WHERE status IN ('READY', 'RUNNING')",
        )[0][0]
    )


def unsent_emails(data_dir: Path) -> int:
    return int(
        query(data_dir, "SELECT count(*) FROM jobs_outgoingemail WHERE sent_at IS NULL")[0][0]
    )


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.2)


def kill_then_recover(crash: str, *, data_dir: Path, smtp_port: int) -> None:
    """Run a worker that dies at `crash`, then a healthy one until all work is done."""
    doomed = start_worker(crash, data_dir=data_dir, smtp_port=smtp_port)
    output, _ = doomed.communicate(timeout=PATIENCE)
    assert doomed.returncode == -signal.SIGKILL, output
    assert unfinished_tasks(data_dir) + unsent_emails(data_dir) > 0, "the crash left work"

    healthy = start_worker("", data_dir=data_dir, smtp_port=smtp_port)
    try:
        wait_for(
            lambda: unfinished_tasks(data_dir) == 0 and unsent_emails(data_dir) == 0,
            "the second worker to finish the first one's work",
        )
    finally:
        healthy.terminate()
        healthy.communicate(timeout=PATIENCE)


def assert_one_email(box: Mailbox, *, retried_after_send: bool) -> Message:
    """One e-mail in effect: one Message-ID. A copy exists only if the server had the first."""
    assert len(box.message_ids()) == 1
    # Killed before the server had it: the only copy is the retry's. Killed after the server
    # accepted it: the retry is a byte-for-byte copy under the same Message-ID, which mail
    # systems recognise; no mail protocol lets a sender ask whether the first arrived.
    assert len(box.received) == (2 if retried_after_send else 1)
    assert len(set(box.bodies())) == 1
    return box.received[0]


SET_UP_REMINDER = """
from bridgework.accounts import services as accounts
from bridgework.accounts.models import Organisation, Role
from bridgework.practice import reminders, services
organisation = Organisation.objects.create(name="Acme", slug="acme")
person = accounts.create_person(organisation=organisation, email="sam@acme.test",
    chosen_name="Sam", password=None, roles={Role.PARTICIPANT})
profile = services.profile_for(person)
profile.reminder_hour = 0  # due whatever the hour the test runs
profile.save()
commitment = services.commit(person=person, title="Ask Dana how the reorg lands",
    practice="deep-curiosity", courage=1, cadence="daily")
# Made two days ago: today is past its first full day and far from the hour after committing.
from datetime import timedelta
type(commitment).objects.filter(pk=commitment.pk).update(
    started_on=commitment.started_on - timedelta(days=2),
    created_at=commitment.created_at - timedelta(days=2))
print(reminders.plan())
"""


@pytest.mark.parametrize(
    ("crash", "retried_after_send"), [(KILL_BEFORE_SEND, False), (KILL_AFTER_SEND, True)]
)
def test_a_reminder_survives_a_worker_killed_mid_delivery(
    data_dir: Path, mailbox: tuple[Mailbox, int], crash: str, retried_after_send: bool
) -> None:
    box, port = mailbox
    assert python(SET_UP_REMINDER, data_dir=data_dir).strip() == "1"

    kill_then_recover(crash, data_dir=data_dir, smtp_port=port)

    message = assert_one_email(box, retried_after_send=retried_after_send)
    assert message["To"] == "sam@acme.test"
    assert message["Subject"] == "Time for a quick check-in"
    assert "reorg" not in box.bodies()[0]
    assert query(data_dir, "SELECT count(*) FROM practice_reminder") == [(1,)]
    assert query(data_dir, "SELECT body FROM jobs_outgoingemail") == [("",)], "erased once sent"


SET_UP_INVITATION = """
from bridgework.accounts import services as accounts
from bridgework.accounts.models import Organisation, Role
organisation = Organisation.objects.create(name="Acme", slug="acme")
admin = accounts.create_person(organisation=organisation, email="admin@acme.test",
    chosen_name="Ada", password=None, roles={Role.PROGRAM_ADMIN})
accounts.invite_person(organisation=organisation, email="new@acme.test", chosen_name="Noor",
    roles=[Role.PARTICIPANT], invited_by=admin)
"""
ACCEPTS = """
from bridgework.accounts.models import Invitation
print(Invitation.find_pending({token!r}) is not None)
"""


@pytest.mark.parametrize(
    ("crash", "retried_after_send"), [(KILL_BEFORE_SEND, False), (KILL_AFTER_SEND, True)]
)
def test_an_invitation_survives_a_worker_killed_mid_delivery(
    data_dir: Path, mailbox: tuple[Mailbox, int], crash: str, retried_after_send: bool
) -> None:
    box, port = mailbox
    python(SET_UP_INVITATION, data_dir=data_dir)

    kill_then_recover(crash, data_dir=data_dir, smtp_port=port)

    message = assert_one_email(box, retried_after_send=retried_after_send)
    assert message["To"] == "new@acme.test"
    token = box.bodies()[0].split("/invitation/")[1].split("/")[0]
    # The link in the e-mail that arrived still works: the retry did not issue a new token.
    assert python(ACCEPTS.format(token=token), data_dir=data_dir).strip() == "True"
    assert token not in str(query(data_dir, "SELECT * FROM jobs_outgoingemail"))


SET_UP_EXPORT = """
from bridgework.accounts import services as accounts
from bridgework.accounts.models import Organisation, Role
from bridgework.reflection import services
organisation = Organisation.objects.create(name="Acme", slug="acme")
person = accounts.create_person(organisation=organisation, email="sam@acme.test",
    chosen_name="Sam", password=None, roles={Role.PARTICIPANT})
services.request_export(person=person)
"""


def test_an_export_is_finished_after_its_worker_is_killed_mid_build(
    data_dir: Path, mailbox: tuple[Mailbox, int]
) -> None:
    _, port = mailbox
    python(SET_UP_EXPORT, data_dir=data_dir)

    kill_then_recover(KILL_WHILE_EXPORTING, data_dir=data_dir, smtp_port=port)

    assert query(data_dir, "SELECT status FROM reflection_dataexport") == [("ready",)]
    runs = "SELECT status, json_array_length(worker_ids) FROM django_tasks_database_dbtaskresult"
    assert query(data_dir, runs) == [("SUCCESSFUL", 2)], "run twice: once killed, once to the end"
