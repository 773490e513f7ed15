"""`bridgework serve` keeps the site up when its task worker dies, and starts a new worker.

A real `serve` on a throwaway SQLite data directory; its worker is killed with SIGKILL.
Every wait polls with a generous limit, so the test does not depend on the machine's speed.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
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
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310  (our own test server)
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
