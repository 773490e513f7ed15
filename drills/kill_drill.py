"""Kill drill: 16 writers through the web forms while the web server and the task workers
are killed with SIGKILL again and again; then what was acknowledged is counted against what
is in the database, and the e-mails due against the e-mails the mail server received.

    .venv/bin/python drills/kill_drill.py [--minutes 3] [--writers 16] [--reminders 100]
        [--database-url postgresql://...] [--port 8190]

It prints one summary; the last run is recorded in drills/README.md. Not a test: it takes
minutes and its numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import contextlib
import http.cookiejar
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from email import message_from_bytes
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "drill horse battery staple"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Sink:
    """The mail server: keeps (recipient, Message-ID) of every message it accepts."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content or envelope.content)
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.received.append((recipient, str(message["Message-ID"])))
        return "250 accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


SET_UP = """
import os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
django.setup()
from bridgework.accounts import services as accounts
from bridgework.accounts.models import Organisation, Role
from bridgework.practice import services as practice
organisation = Organisation.objects.create(name="Drill", slug="drill")
accounts.create_person(organisation=organisation, email="admin@drill.test", chosen_name="Admin",
    password={password!r}, roles={{Role.PROGRAM_ADMIN, Role.PARTICIPANT}})
for n in range({writers}):
    accounts.create_person(organisation=organisation, email=f"writer{{n}}@drill.test",
        chosen_name=f"Writer {{n}}", password={password!r}, roles={{Role.PARTICIPANT}})
for n in range({reminders}):
    person = accounts.create_person(organisation=organisation, email=f"remind{{n}}@drill.test",
        chosen_name=f"R {{n}}", password=None, roles={{Role.PARTICIPANT}})
    profile = practice.profile_for(person)
    profile.reminder_hour = 0
    profile.save()
    practice.commit(person=person, title="Listen first", practice="deep-curiosity", courage=1,
        cadence="daily")
"""

COUNT = """
import json, os, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
django.setup()
from django.db import connection
from django_tasks_db.models import DBTaskResult
from bridgework.accounts.models import Invitation
from bridgework.jobs.models import OutgoingEmail
from bridgework.practice.models import Reminder
from bridgework.reflection.models import JournalEntry
bodies = [entry.body for entry in JournalEntry.objects.all()]
tasks = dict((status, 0) for status in ("READY", "RUNNING", "FAILED", "SUCCESSFUL"))
for status in DBTaskResult.objects.values_list("status", flat=True):
    tasks[status] = tasks.get(status, 0) + 1
integrity = "n/a"
if connection.vendor == "sqlite":
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA integrity_check")
        integrity = cursor.fetchone()[0]
print(json.dumps(dict(
    bodies=bodies,
    invitations=list(Invitation.objects.values_list("email", flat=True)),
    reminders=Reminder.objects.count(),
    unsent=OutgoingEmail.objects.filter(sent_at__isnull=True).count(),
    deliveries=DBTaskResult.objects.filter(task_path__endswith="deliver_reminder").count(),
    rebuilds=DBTaskResult.objects.filter(task_path__endswith="release_insights").count(),
    tasks=tasks,
    integrity=integrity,
)))
"""


@dataclass
class Drill:
    env: dict[str, str]
    port: int
    writers: int
    reminders: int
    acknowledged: set[str] = field(default_factory=set)
    invited: set[str] = field(default_factory=set)
    kills: Counter[str] = field(default_factory=Counter)
    running: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def python(self, code: str) -> str:
        result = subprocess.run(
            [sys.executable, "-c", code],
            cwd=REPO,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise SystemExit(result.stderr)
        return result.stdout

    # --- processes ---------------------------------------------------------------------------

    def start(self, name: str) -> None:
        if name == "web":
            command = ["serve", "--no-worker", "--port", str(self.port), "--workers", "2"]
        else:
            command = ["worker"]
        # A session of its own, so a kill takes the process and all its children, like a
        # crashed container.
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "bridgework", *command],
            cwd=REPO,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self, name: str) -> None:
        process = self.processes[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        self.kills[name.rstrip("0123456789")] += 1

    def killer(self, until: float) -> None:
        while time.monotonic() < until:
            time.sleep(random.uniform(4, 12))
            victim = random.choice(["web", "worker1", "worker2"])
            self.kill(victim)
            time.sleep(random.uniform(0.5, 2))
            self.start(victim)

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            process.wait()

    # --- writers through the web forms -----------------------------------------------------------

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def session(self, email: str) -> urllib.request.OpenerDirector:
        jar = http.cookiejar.CookieJar()

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any) -> None:
                return None

        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
        while self.running:
            try:
                if self.post(opener, "/accounts/login/", {"login": email, "password": PASSWORD}):
                    return opener
            except OSError:
                pass
            time.sleep(0.5)
        return opener

    def post(self, opener: urllib.request.OpenerDirector, path: str, data: dict[str, str]) -> str:
        """POST a form as a browser would; the redirect's address, or '' if not saved."""
        with opener.open(self.url(path), timeout=30) as page:
            token = CSRF.search(page.read().decode())
        if token is None:
            return ""
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token.group(1)}).encode()
        try:
            with opener.open(self.url(path), body, timeout=30):
                return ""
        except urllib.error.HTTPError as answer:
            if answer.code == 302:
                return str(answer.headers.get("Location", ""))
            return ""

    def writer(self, n: int) -> None:
        opener = self.session(f"writer{n}@drill.test")
        count = 0
        while self.running:
            marker = f"drill {n}-{count}"
            count += 1
            try:
                where = self.post(opener, "/reflect/journal/new", {"body": marker, "title": ""})
            except OSError:
                time.sleep(0.3)
                continue
            if "/reflect/journal/" in where:
                with self.lock:
                    self.acknowledged.add(marker)

    def inviter(self) -> None:
        opener = self.session("admin@drill.test")
        count = 0
        while self.running:
            email = f"invitee{count}@drill.test"
            count += 1
            try:
                where = self.post(
                    opener, "/people/invite", {"email": email, "roles": "participant"}
                )
            except OSError:
                time.sleep(0.3)
                continue
            if where.endswith("/people/"):
                with self.lock:
                    self.invited.add(email)
            time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--reminders", type=int, default=100)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--lease", default="10")
    options = parser.parse_args()

    sink, smtp_port = Sink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    data_dir = tempfile.mkdtemp(prefix="bridgework-drill-")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIDGEWORK_", "EMAIL_")) and key != "DATABASE_URL"
    }
    env.update(
        BRIDGEWORK_ENV="local",
        BRIDGEWORK_DATA_DIR=data_dir,
        BRIDGEWORK_LOG_LEVEL="ERROR",
        BRIDGEWORK_TASK_LEASE_SECONDS=options.lease,
        BRIDGEWORK_LOGIN_THROTTLING="false",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        EMAIL_USE_TLS="false",
    )
    if options.database_url:
        env["DATABASE_URL"] = options.database_url
    drill = Drill(env=env, port=options.port, writers=options.writers, reminders=options.reminders)
    print(f"data directory {data_dir}; setting up", flush=True)
    subprocess.run(
        [sys.executable, "-m", "bridgework", "manage", "migrate", "-v0"],
        cwd=REPO,
        env=env,
        check=True,
    )
    drill.python(
        SET_UP.format(password=PASSWORD, writers=options.writers, reminders=options.reminders)
    )
    for name in ("web", "worker1", "worker2"):
        drill.start(name)

    threads = [threading.Thread(target=drill.writer, args=(n,)) for n in range(options.writers)]
    threads.append(threading.Thread(target=drill.inviter))
    for thread in threads:
        thread.start()
    print(
        f"{options.writers} writers and an inviter for {options.minutes} minutes, "
        "killing the web server and the workers with SIGKILL",
        flush=True,
    )
    drill.killer(time.monotonic() + options.minutes * 60)
    drill.running = False
    for thread in threads:
        thread.join()

    print("settling: no more kills, waiting for the workers to finish", flush=True)
    deadline = time.monotonic() + 600
    while True:
        counts = json.loads(drill.python(COUNT))
        due = options.reminders + len(drill.invited)
        with sink.lock:
            delivered = len({message_id for _, message_id in sink.received})
        idle = counts["tasks"]["READY"] + counts["tasks"]["RUNNING"] == 0
        if (idle and counts["unsent"] == 0 and delivered >= due) or time.monotonic() > deadline:
            break
        time.sleep(5)
    drill.stop_all()
    controller.stop()

    found = Counter(body for body in counts["bodies"] if body.startswith("drill "))
    lost = drill.acknowledged - set(found)
    duplicated = sum(n - 1 for n in found.values() if n > 1)
    with sink.lock:
        received = list(sink.received)
    per_recipient: dict[str, set[str]] = {}
    for recipient, message_id in received:
        per_recipient.setdefault(recipient, set()).add(message_id)
    expected = {f"remind{n}@drill.test" for n in range(options.reminders)} | drill.invited
    missing = sorted(expected - set(per_recipient))
    twice = sorted(r for r, ids in per_recipient.items() if len(ids) > 1)
    copies = len(received) - len({message_id for _, message_id in received})
    print()
    print(
        f"database: {'PostgreSQL' if options.database_url else 'SQLite'}; "
        f"kills: web {drill.kills['web']}, worker {drill.kills['worker']}"
    )
    print(
        f"writes: acknowledged {len(drill.acknowledged)}, found {len(found)}, "
        f"lost {len(lost)}, duplicated {duplicated}, "
        f"saved but not acknowledged {len(set(found) - drill.acknowledged)}"
    )
    print(
        f"e-mails: due {len(expected)} ({options.reminders} reminders, "
        f"{len(drill.invited)} invitations), sent {len(per_recipient)}, missing "
        f"{len(missing)}, two different e-mails {len(twice)}, "
        f"same Message-ID resent {copies}"
    )
    print(
        f"tasks: stuck {counts['tasks']['READY'] + counts['tasks']['RUNNING']} "
        f"(ready {counts['tasks']['READY']}, running {counts['tasks']['RUNNING']}), "
        f"failed {counts['tasks']['FAILED']}; unsent e-mails {counts['unsent']}; "
        f"reminder deliveries queued {counts['deliveries']} for {counts['reminders']} "
        f"reminders; insights release runs queued {counts['rebuilds']}; "
        f"integrity {counts['integrity']}"
    )


if __name__ == "__main__":
    main()
