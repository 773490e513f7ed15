"""`bridgework serve` keeps the site up when its task worker dies or the database is locked.

A real `serve` on a throwaway SQLite data directory: its worker is killed with SIGKILL, and
`bridgework demo --reset` runs beside it. Every wait polls with a generous limit, so the
tests do not depend on the machine's speed.
"""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from .subprocess_support import PATIENCE, REPO, child_environment, copy_data_dir, own_sqlite

pytestmark = [
    pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc"),
    own_sqlite,
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.2)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=120) as response:  # noqa: S310  (our own test server)
            return int(response.status) < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def worker_children(pid: int) -> set[int]:
    """The `bridgework worker` processes `serve` started."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = set()
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
        except FileNotFoundError:
            continue
        if b"worker" in command:
            workers.add(int(child))
    return workers


@pytest.fixture
def serve(migrated_data_dir: Path, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    port = free_port()
    data_dir = copy_data_dir(migrated_data_dir, tmp_path / "data")
    env = child_environment(data_dir, env="local")
    process = subprocess.Popen(  # our own interpreter and module
        [sys.executable, "-m", "bridgework", "serve", "--port", str(port), "--workers", "1"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        yield process, f"http://127.0.0.1:{port}/"
    finally:
        if process.poll() is None:
            process.terminate()
        process.communicate(timeout=PATIENCE)


def test_serve_keeps_the_site_up_and_restarts_a_killed_worker(
    serve: tuple[subprocess.Popen[bytes], str],
) -> None:
    process, url = serve
    wait_for(lambda: answers(url) and len(worker_children(process.pid)) == 1, "serve to start")
    [first] = worker_children(process.pid)

    os.kill(first, signal.SIGKILL)

    wait_for(lambda: worker_children(process.pid) - {first} != set(), "a new worker")
    assert process.poll() is None, "serve is still running"
    assert answers(url)

    [second] = worker_children(process.pid)
    os.kill(second, signal.SIGKILL)  # and again: it is not a one-off
    wait_for(lambda: worker_children(process.pid) - {first, second} != set(), "a third worker")
    assert process.poll() is None

    process.terminate()
    _, errors = process.communicate(timeout=PATIENCE)
    assert process.returncode == 0
    assert b"the task worker stopped (exit code -9); starting it again" in errors


# --- demo --reset beside a running serve -------------------------------------------------------


def last_heartbeat(database: Path) -> datetime | None:
    """When the worker last wrote its heartbeat (None before its first)."""
    try:
        with sqlite3.connect(database, timeout=PATIENCE) as db:
            row = db.execute("SELECT MAX(seen_at) FROM jobs_workerheartbeat").fetchone()
    except sqlite3.OperationalError:  # not migrated yet
        return None
    # Django keeps SQLite datetimes as UTC text without an offset.
    return datetime.fromisoformat(row[0]).replace(tzinfo=UTC) if row and row[0] else None


def test_demo_reset_beside_a_running_serve_keeps_the_site_and_its_worker_up(
    migrated_data_dir: Path, tmp_path: Path
) -> None:
    data_dir = copy_data_dir(migrated_data_dir, tmp_path / "data")
    database = data_dir / "bridgework.sqlite3"
    log = tmp_path / "serve.log"
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    # A one-second busy timeout, so the lock held below certainly makes the worker's next
    # write fail with "database is locked" (the default waits 20 s).
    serve_env = child_environment(data_dir, env="local", BRIDGEWORK_SQLITE_BUSY_SECONDS="1")
    command = ["serve", "--demo", "--port", str(port), "--workers", "1"]
    with log.open("wb") as errors:
        process = subprocess.Popen(  # our own interpreter and module
            [sys.executable, "-m", "bridgework", *command],
            cwd=REPO,
            env=serve_env,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
    try:
        wait_for(
            lambda: answers(url + "accounts/login/") and len(worker_children(process.pid)) == 1,
            "serve to start",
        )
        [worker] = worker_children(process.pid)
        wait_for(lambda: last_heartbeat(database) is not None, "the worker's first heartbeat")
        # The worker (and the web server) were told the address served, for links in e-mails.
        worker_env = Path(f"/proc/{worker}/environ").read_bytes().split(b"\0")
        assert f"BRIDGEWORK_PORT={port}".encode() in worker_env

        reset = subprocess.run(  # our own interpreter and module
            [sys.executable, "-m", "bridgework", "demo", "--reset"],
            cwd=REPO,
            env=child_environment(data_dir, env="local"),
            capture_output=True,
            text=True,
            timeout=PATIENCE,
            check=False,
        )
        assert reset.returncode == 0, reset.stderr
        assert "Demo organisation ready" in reset.stdout

        # Another writer holds the lock for several of the worker's busy timeouts.
        with sqlite3.connect(database, timeout=PATIENCE, isolation_level=None) as db:
            db.execute("BEGIN IMMEDIATE")
            time.sleep(5)
            db.execute("COMMIT")
        released_at = datetime.now(UTC)

        wait_for(
            lambda: (last_heartbeat(database) or released_at) > released_at,
            "a heartbeat after the lock",
        )
        assert worker_children(process.pid) == {worker}, "the same worker, never restarted"
        assert process.poll() is None, "serve is still running"
        assert answers(url + "accounts/login/")
    finally:
        if process.poll() is None:
            process.terminate()
        process.wait(timeout=PATIENCE)
    written = log.read_text(errors="replace")
    assert "the database is busy with another writer; trying again" in written
    assert "the task worker stopped" not in written
    # Nobody met the lock as an error: the worker noted it and carried on.
    assert "database is locked" not in written
