"""The `bridgework` command: serve, worker, demo, createorg, backup, restore, status, and more."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from types import FrameType

USAGE = """usage: bridgework COMMAND [options]

commands:
  serve [--demo] [--host H] [--port P] [--workers N] [--no-worker]
                      migrate, then serve the app with gunicorn (and one task worker);
                      --demo loads the demo organisation on first start
  worker              run background tasks (reminders, digests, insights releases); run one or more
  demo [--reset]      create the demo organisation, or delete and recreate it
  createorg NAME --admin-email E [--admin-name N]
                      a new organisation and its first program admin
  backup [--output PATH]
                      a consistent copy of the database (SQLite online backup or pg_dump)
  restore PATH [--yes]
                      replace the database with a backup, after checking that the key
                      file opens every data key in it; then check every table's rows
  status              the task queue, stuck tasks, workers, insights releases and the last backup
  rotate-keys         re-wrap every person's data key under a new master key
  content check [DIR] | content import [DIR] [--org SLUG] | content export DIR [--org SLUG]
                      validate, load or write out a curriculum tree (default: ./content)
  manage ARGS...      any Django management command (migrate, shell, ...)

  --init              (with any command) create a missing data directory in production
"""

COMMANDS = {
    "worker": "worker",
    "demo": "demo",
    "createorg": "createorg",
    "backup": "backup",
    "rotate-keys": "rotate_keys",
    "content": "content",
    "restore": "restore",
    "status": "status",
}
# Commands that read or write private fields refuse to start when the database's data keys
# need a master key the key file lacks (restore and status must run to put that right).
NEEDS_MASTER_KEYS = {"serve", "worker", "demo", "createorg", "rotate-keys"}


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as error:
        print(f"bridgework: {error}", file=sys.stderr)
        sys.exit(2)
    _check_database()


def _announce_new_data_directory() -> None:
    from django.conf import settings

    if settings.DATA_DIR_CREATED:
        print(
            f"bridgework: created a new data directory at {settings.DATA_DIR} with a new master "
            "key; if you expected existing data there, stop now and check your mounts.",
            file=sys.stderr,
        )
    elif settings.MASTER_KEY_CREATED:
        print(
            f"bridgework: created a new master key in {settings.DATA_DIR}; if this database "
            "already holds people, stop now and put back its master_keys file.",
            file=sys.stderr,
        )


def _check_master_keys() -> None:
    from bridgework.operations.keys import check_master_keys

    problem = check_master_keys()
    if problem is not None:
        print(f"bridgework: {problem}", file=sys.stderr)
        sys.exit(2)


def _check_database() -> None:
    from django.db import connection
    from django.db.utils import Error

    try:
        connection.ensure_connection()
    except Error as error:
        first_line = (
            str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        )
        print(f"bridgework: cannot connect to the database ({first_line}).", file=sys.stderr)
        sys.exit(2)


def _call(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def _option(args: list[str], name: str, default: str) -> str:
    if name in args:
        index = args.index(name)
        if index + 1 >= len(args):
            print(f"bridgework: {name} needs a value.", file=sys.stderr)
            sys.exit(2)
        return args[index + 1]
    return default


SERVE_FLAGS = {"--demo", "--no-worker"}
SERVE_OPTIONS = {"--host", "--port", "--workers"}


def _check_serve_arguments(args: list[str]) -> None:
    """Help, or a clear error for anything serve does not know, before it starts anything."""
    if {"-h", "--help"} & set(args):
        print(USAGE)
        sys.exit(0)
    index = 0
    while index < len(args):
        if args[index] in SERVE_OPTIONS:
            index += 2
        elif args[index] in SERVE_FLAGS:
            index += 1
        else:
            print(f"bridgework serve: unknown option {args[index]!r}.\n\n{USAGE}", file=sys.stderr)
            sys.exit(2)


def serve_environment(args: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    """The environment `serve` runs in and hands to its web server and worker.

    --host and --port become BRIDGEWORK_HOST and BRIDGEWORK_PORT, so that settings (in this
    process and in both children) make links in e-mails point at the address being served,
    unless BRIDGEWORK_BASE_URL names another.
    """
    host = _option(args, "--host", environ.get("BRIDGEWORK_HOST") or "127.0.0.1")
    port = _option(args, "--port", environ.get("BRIDGEWORK_PORT") or "8000")
    workers = _option(args, "--workers", environ.get("BRIDGEWORK_WEB_WORKERS") or "3")
    if not port.isdigit() or not workers.isdigit():
        print("bridgework: --port and --workers must be whole numbers.", file=sys.stderr)
        sys.exit(2)
    return {
        **environ,
        "BRIDGEWORK_HOST": host,
        "BRIDGEWORK_PORT": port,
        "BRIDGEWORK_WEB_WORKERS": workers,
    }


def serve(args: list[str]) -> None:
    from django.conf import settings

    from bridgework.accounts.demo import demo_sign_ins, ensure_demo

    host = os.environ["BRIDGEWORK_HOST"]
    port = os.environ["BRIDGEWORK_PORT"]
    workers = os.environ["BRIDGEWORK_WEB_WORKERS"]
    _call("migrate", "--noinput", "--verbosity", "0")
    _call("collectstatic", "--noinput", "--verbosity", "0")
    if "--demo" in args:
        ensure_demo()
    url = f"http://{host}:{port}/"
    print(f"\nBridgework is starting on {url}")
    print(f"Data directory: {settings.DATA_DIR}")
    print(f"Links in e-mails start with {settings.BASE_URL}/ (BRIDGEWORK_BASE_URL changes it)")
    if "--demo" in args:
        print("\nDemo sign-ins (the same password for each):")
        for label, email, password in demo_sign_ins():
            print(f"  {label:<38} {email:<28} {password}")
        print("The demo organisation asks no one for MFA; Settings > Security turns it on.")
    print("\nPress Ctrl+C to stop.\n", flush=True)

    worker = None if "--no-worker" in args else WorkerSupervisor()
    gunicorn = [
        sys.executable,
        "-m",
        "gunicorn",
        "bridgework.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        workers,
        "--forwarded-allow-ips",
        os.environ.get("BRIDGEWORK_FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    web = subprocess.Popen(gunicorn)  # noqa: S603  (our own interpreter and module)

    def stop(signum: int, frame: FrameType | None) -> None:
        if worker is not None:
            worker.stopping = True
        if web.poll() is None:
            web.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    # Only the web server's end ends `serve`; the worker is restarted whenever it stops.
    try:
        while web.poll() is None:
            if worker is not None:
                worker.watch()
            with contextlib.suppress(subprocess.TimeoutExpired):
                web.wait(timeout=1)
    finally:
        stop(signal.SIGTERM, None)
        if worker is not None:
            worker.stop()
    code = web.wait()
    sys.exit(0 if code in (0, -signal.SIGTERM) else code)


class WorkerSupervisor:
    """Keeps one task worker running beside the web server.

    A worker that exits, for whatever reason (killed, out of memory, a database that would
    not answer at start), is started again after a pause that doubles each time, up to a
    minute, and starts over at one second once a worker has stayed up for a minute. Its
    unfinished tasks come back to it when their lease runs out (bridgework/jobs/leases.py).
    """

    FIRST_PAUSE = 1.0
    LONGEST_PAUSE = 60.0
    HEALTHY_AFTER = 60.0

    def __init__(self) -> None:
        self.stopping = False
        self.pause = self.FIRST_PAUSE
        self.restart_at = 0.0
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-m", "bridgework", "worker"])
        self.started_at = time.monotonic()

    def watch(self) -> None:
        now = time.monotonic()
        if self.stopping:
            return
        if self.process is None:
            if now >= self.restart_at:
                self.start()
            return
        code = self.process.poll()
        if code is None:
            if now - self.started_at >= self.HEALTHY_AFTER:
                self.pause = self.FIRST_PAUSE
            return
        print(
            f"bridgework: the task worker stopped (exit code {code}); "
            f"starting it again in {self.pause:.0f} s.",
            file=sys.stderr,
            flush=True,
        )
        self.process, self.restart_at = None, now + self.pause
        self.pause = min(self.pause * 2, self.LONGEST_PAUSE)

    def stop(self) -> None:
        self.stopping = True
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return
    command, rest = args[0], args[1:]
    if command not in {*COMMANDS, "serve", "manage"}:
        print(f"bridgework: unknown command {command!r}.\n\n{USAGE}", file=sys.stderr)
        sys.exit(2)
    if "--init" in rest:
        rest = [arg for arg in rest if arg != "--init"]
        os.environ["BRIDGEWORK_INIT"] = "true"
    if command == "serve":
        _check_serve_arguments(rest)
        # Before Django reads its settings, which derive the base URL from these.
        os.environ.update(serve_environment(rest, os.environ))
    _setup_django()
    if command in NEEDS_MASTER_KEYS:
        _check_master_keys()
    # Said once everything else has passed, so a refusal is still a single sentence; restore
    # checks the key file against the backup itself.
    if command != "restore":
        _announce_new_data_directory()
    if command == "serve":
        serve(rest)
        return
    from django.core.management import execute_from_command_line

    if command == "manage":
        execute_from_command_line(["bridgework manage", *rest])
        return
    execute_from_command_line(["bridgework", COMMANDS[command], *rest])
