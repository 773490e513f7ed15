"""The operator's side, through the real `bridgework` command in a subprocess.

Backup, wipe, restore (SQLite always; PostgreSQL when the run's DATABASE_URL is PostgreSQL),
restores and start-ups refused without the right master key, every start-up error as one
sentence, and a real `serve` riding out a PostgreSQL outage behind a proxy the test cuts.
Nothing here depends on how fast the machine is: waits poll with generous limits.
"""

from __future__ import annotations

import ast
import contextlib
import http.client
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from bridgework.lib import keyfiles

from .subprocess_support import child_environment, copy_data_dir, own_sqlite, run_bridgework

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("DATABASE_URL", "")
needs_postgresql = pytest.mark.skipif(
    not PG_URL.startswith("postgres"), reason="DATABASE_URL is not PostgreSQL."
)
COUNT_EVERY_PRIVATE_VALUE = (
    "from bridgework.operations.restore import check_private_fields; "
    "print(check_private_fields(10**9))"
)


def succeeded(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stderr
    return result


def one_sentence(result: subprocess.CompletedProcess[str]) -> str:
    """The refusal: a non-zero exit and a single line on stderr, no traceback, no errno."""
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    [line] = lines
    assert "Traceback" not in line
    assert "Errno" not in line
    assert line.endswith("."), line
    return line


def master_key_id(data_dir: Path) -> str:
    [(key_id, _)] = keyfiles.load_or_create_master_keys(data_dir)
    return key_id


def new_machine(tmp_path: Path, keys_from: Path | None) -> Path:
    """An empty data directory, with the old machine's key files copied in if given."""
    data_dir = tmp_path / "new-machine"
    data_dir.mkdir()
    if keys_from is not None:
        for name in (keyfiles.MASTER_KEYS_FILE, keyfiles.SECRET_KEY_FILE):
            shutil.copy2(keys_from / name, data_dir / name)
    return data_dir


def private_values(result: subprocess.CompletedProcess[str]) -> tuple[int, int]:
    read, unreadable = ast.literal_eval(succeeded(result).stdout.strip().splitlines()[-1])
    return int(read), int(unreadable)


# --- SQLite: backup, wipe, restore ------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    data_dir: Path
    backup: Path


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory, migrated_data_dir: Path) -> Site:
    """A SQLite site with the demo organisation (people, journals, notes), and its backup."""
    root = tmp_path_factory.mktemp("sqlite-site")
    data_dir = copy_data_dir(migrated_data_dir, root / "data")
    succeeded(run_bridgework("demo", data_dir=data_dir))
    backup = root / "bridgework-backup.sqlite3"
    succeeded(run_bridgework("backup", "--output", str(backup), data_dir=data_dir))
    return Site(data_dir, backup)


def select_all(table: str) -> str:
    return f'SELECT * FROM "{table}" ORDER BY 1'  # noqa: S608  (names from sqlite_master)


def sqlite_rows(database: Path) -> dict[str, list[tuple[object, ...]]]:
    with contextlib.closing(sqlite3.connect(database)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {table: db.execute(select_all(table)).fetchall() for table in tables}


def no_tables(database: Path) -> bool:
    if not database.exists():
        return True
    with contextlib.closing(sqlite3.connect(database)) as db:
        count: int = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
        return count == 0


def ciphertexts(rows: dict[str, list[tuple[object, ...]]]) -> int:
    return sum(
        1
        for table in rows.values()
        for row in table
        for value in row
        if isinstance(value, str) and value.startswith("bw1:")
    )


@own_sqlite
def test_a_sqlite_backup_restores_on_a_new_machine_with_every_row_and_private_field(
    sqlite_site: Site, tmp_path: Path
) -> None:
    data_dir = new_machine(tmp_path, keys_from=sqlite_site.data_dir)

    result = succeeded(
        run_bridgework("restore", str(sqlite_site.backup), "--yes", data_dir=data_dir)
    )

    assert "every table has the backup's row count" in result.stdout
    backed_up = sqlite_rows(sqlite_site.backup)
    assert sqlite_rows(data_dir / "bridgework.sqlite3") == backed_up
    assert sum(len(rows) for rows in backed_up.values()) > 1000
    every = private_values(
        run_bridgework("manage", "shell", "-c", COUNT_EVERY_PRIVATE_VALUE, data_dir=data_dir)
    )
    assert every == (ciphertexts(backed_up), 0)
    assert every[0] > 20


@own_sqlite
def test_a_restore_over_a_live_sqlite_database_keeps_the_old_one_aside(
    sqlite_site: Site, tmp_path: Path
) -> None:
    data_dir = new_machine(tmp_path, keys_from=sqlite_site.data_dir)
    succeeded(run_bridgework("restore", str(sqlite_site.backup), "--yes", data_dir=data_dir))
    succeeded(
        run_bridgework(
            "createorg", "Initech", "--admin-email", "new@initech.test", data_dir=data_dir
        )
    )

    result = succeeded(
        run_bridgework("restore", str(sqlite_site.backup), "--yes", data_dir=data_dir)
    )

    [kept] = data_dir.glob("bridgework.sqlite3.before-restore-*")
    assert str(kept) in result.stdout
    emails = "SELECT email FROM accounts_person WHERE email = 'new@initech.test'"
    assert sqlite3.connect(kept).execute(emails).fetchall() == [("new@initech.test",)]
    assert sqlite3.connect(data_dir / "bridgework.sqlite3").execute(emails).fetchall() == []


@own_sqlite
def test_a_restore_without_the_backups_master_key_is_refused_before_anything_is_touched(
    sqlite_site: Site, tmp_path: Path
) -> None:
    data_dir = new_machine(tmp_path, keys_from=None)

    line = one_sentence(
        run_bridgework("restore", str(sqlite_site.backup), "--yes", data_dir=data_dir)
    )

    assert f"master key {master_key_id(sqlite_site.data_dir)}" in line
    assert "restoring" in line
    assert no_tables(data_dir / "bridgework.sqlite3")


@own_sqlite
def test_a_restore_without_yes_from_a_script_changes_nothing(
    sqlite_site: Site, tmp_path: Path
) -> None:
    data_dir = new_machine(tmp_path, keys_from=sqlite_site.data_dir)

    line = one_sentence(run_bridgework("restore", str(sqlite_site.backup), data_dir=data_dir))

    assert "--yes" in line
    assert no_tables(data_dir / "bridgework.sqlite3")


@own_sqlite
@pytest.mark.parametrize("command", ["worker", "serve", "demo"])
def test_start_up_refuses_a_restored_database_without_its_master_key(
    sqlite_site: Site, tmp_path: Path, command: str
) -> None:
    data_dir = new_machine(tmp_path, keys_from=None)
    shutil.copy2(sqlite_site.backup, data_dir / "bridgework.sqlite3")

    line = one_sentence(run_bridgework(command, data_dir=data_dir))

    assert line.startswith("bridgework: The database holds")
    assert f"master key {master_key_id(sqlite_site.data_dir)}" in line
    assert str(data_dir / keyfiles.MASTER_KEYS_FILE) in line


@own_sqlite
def test_manage_check_reports_a_restored_database_without_its_master_key(
    sqlite_site: Site, tmp_path: Path
) -> None:
    data_dir = new_machine(tmp_path, keys_from=None)
    shutil.copy2(sqlite_site.backup, data_dir / "bridgework.sqlite3")

    result = run_bridgework("manage", "check", data_dir=data_dir)

    assert result.returncode != 0
    assert "bridgework.E001" in result.stderr
    assert f"master key {master_key_id(sqlite_site.data_dir)}" in result.stderr


@own_sqlite
def test_status_reports_the_last_backup(sqlite_site: Site) -> None:
    result = succeeded(run_bridgework("status", data_dir=sqlite_site.data_dir))

    assert f"{sqlite_site.backup}" in result.stdout
    assert "Queue:" in result.stdout


# --- Start-up errors ---------------------------------------------------------------------------


def dangling_key_link(tmp_path: Path) -> dict[str, str]:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / keyfiles.MASTER_KEYS_FILE).symlink_to(tmp_path / "unmounted" / "master_keys")
    return {"BRIDGEWORK_DATA_DIR": str(data_dir)}


def data_dir_under_a_file(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "a-file").write_text("not a directory")
    return {"BRIDGEWORK_DATA_DIR": str(tmp_path / "a-file" / "data")}


def data_dir_is_a_file(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "a-file").write_text("not a directory")
    return {"BRIDGEWORK_DATA_DIR": str(tmp_path / "a-file")}


def key_file_is_a_directory(tmp_path: Path) -> dict[str, str]:
    (tmp_path / keyfiles.MASTER_KEYS_FILE).mkdir()
    return {}


def corrupt_key_file(tmp_path: Path) -> dict[str, str]:
    (tmp_path / keyfiles.MASTER_KEYS_FILE).write_text("this is not a key\n")
    return {}


def empty_secret_key_file(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "empty").write_text("")
    return {"SECRET_KEY_FILE": str(tmp_path / "empty")}


def production(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "BRIDGEWORK_ENV": "production",
        "BRIDGEWORK_ALLOWED_HOSTS": "bridgework.example.com",
        "EMAIL_HOST": "smtp.example.com",
        **extra,
    }


START_UP_ERRORS: dict[str, tuple[Callable[[Path], dict[str, str]], str]] = {
    "dangling-master-keys-link": (dangling_key_link, "is a link to"),
    "missing-secret-key-file": (
        lambda tmp: {"SECRET_KEY_FILE": str(tmp / "nowhere" / "secret")},
        "SECRET_KEY_FILE names",
    ),
    "empty-secret-key-file": (empty_secret_key_file, "is empty"),
    "data-directory-under-a-file": (data_dir_under_a_file, "Cannot create the data directory"),
    "data-directory-is-a-file": (data_dir_is_a_file, "is a file, not a directory"),
    "master-keys-is-a-directory": (key_file_is_a_directory, "it is a directory"),
    "corrupt-master-keys": (corrupt_key_file, "is not a 256-bit key"),
    "missing-data-directory-in-production": (
        lambda tmp: production(tmp, BRIDGEWORK_DATA_DIR=str(tmp / "not-mounted")),
        "--init",
    ),
    "production-without-hosts": (
        lambda tmp: production(tmp, BRIDGEWORK_ALLOWED_HOSTS=""),
        "BRIDGEWORK_ALLOWED_HOSTS",
    ),
    "unknown-environment": (lambda tmp: {"BRIDGEWORK_ENV": "staging"}, "BRIDGEWORK_ENV"),
    "bad-true-or-false": (lambda tmp: {"BRIDGEWORK_DEBUG": "maybe"}, "true or false"),
    "bad-whole-number": (lambda tmp: {"BRIDGEWORK_INVITATION_DAYS": "two"}, "whole number"),
    "bad-database-url": (lambda tmp: {"DATABASE_URL": "mysql://x"}, "DATABASE_URL"),
    "unreachable-database": (
        lambda tmp: {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/bridgework"},
        "cannot connect to the database",
    ),
}


@own_sqlite
@pytest.mark.parametrize("case", list(START_UP_ERRORS), ids=list(START_UP_ERRORS))
def test_every_start_up_error_is_one_sentence(tmp_path: Path, case: str) -> None:
    make, expected = START_UP_ERRORS[case]
    extra = make(tmp_path)

    line = one_sentence(run_bridgework("status", data_dir=tmp_path, **extra))

    assert line.startswith("bridgework: ")
    assert expected in line


@own_sqlite
def test_a_new_data_directory_is_announced_loudly(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh"

    result = succeeded(run_bridgework("manage", "check", data_dir=data_dir))

    assert f"created a new data directory at {data_dir}" in result.stderr
    assert (data_dir / keyfiles.MASTER_KEYS_FILE).exists()


@own_sqlite
def test_production_creates_a_missing_data_directory_only_with_init(tmp_path: Path) -> None:
    data_dir = tmp_path / "first-start"

    result = succeeded(
        run_bridgework("manage", "check", "--init", data_dir=data_dir, **production(tmp_path))
    )

    assert f"created a new data directory at {data_dir}" in result.stderr
    assert (data_dir / keyfiles.MASTER_KEYS_FILE).exists()


# --- PostgreSQL --------------------------------------------------------------------------------


def url_for(database: str, *, port: int | None = None) -> str:
    parts = urlsplit(PG_URL)
    netloc = parts.netloc if port is None else f"{parts.netloc.rsplit(':', 1)[0]}:{port}"
    return urlunsplit((parts.scheme, netloc, f"/{database}", "", ""))


def fresh_database(name: str) -> None:
    """An empty database of this name, whatever was there before (the wipe)."""
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    with psycopg.connect(url_for("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> Iterator[str]:
    # The run's own database name plus the test's, so parallel runs never share one.
    test = request.node.name.removeprefix("test_")[:24]
    name = f"{urlsplit(PG_URL).path.lstrip('/') or 'bridgework'}_{test}"
    fresh_database(name)
    yield name
    drop_database(name)


def pg_rows(database: str) -> dict[str, list[tuple[object, ...]]]:
    with psycopg.connect(url_for(database)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {
            table: db.execute(
                sql.SQL("SELECT * FROM {} ORDER BY 1").format(sql.Identifier(table))
            ).fetchall()
            for table in tables
        }


def demo_backed_up(pg_database: str, tmp_path: Path) -> tuple[Path, str, Path]:
    """The demo on the PostgreSQL database, backed up: the old machine, its URL and the dump."""
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed.")
    old = tmp_path / "old-machine"
    url = url_for(pg_database)
    succeeded(
        run_bridgework("manage", "migrate", "--verbosity", "0", data_dir=old, DATABASE_URL=url)
    )
    succeeded(run_bridgework("demo", data_dir=old, DATABASE_URL=url))
    dump = tmp_path / "bridgework.dump"
    succeeded(run_bridgework("backup", "--output", str(dump), data_dir=old, DATABASE_URL=url))
    return old, url, dump


@needs_postgresql
def test_a_postgresql_backup_restores_after_a_wipe_with_every_row_and_private_field(
    pg_database: str, tmp_path: Path
) -> None:
    old, url, dump = demo_backed_up(pg_database, tmp_path)
    backed_up = pg_rows(pg_database)
    backed_up.pop("operations_backuprecord")  # written after the dump was taken
    fresh_database(pg_database)  # the wipe
    data_dir = new_machine(tmp_path, keys_from=old)

    result = succeeded(
        run_bridgework("restore", str(dump), "--yes", data_dir=data_dir, DATABASE_URL=url)
    )

    assert "every table has the backup's row count" in result.stdout
    restored = pg_rows(pg_database)
    restored.pop("operations_backuprecord")
    assert restored == backed_up
    every = private_values(
        run_bridgework(
            "manage", "shell", "-c", COUNT_EVERY_PRIVATE_VALUE, data_dir=data_dir, DATABASE_URL=url
        )
    )
    assert every == (ciphertexts(backed_up), 0)
    assert every[0] > 20


@needs_postgresql
def test_a_postgresql_restore_without_the_master_key_is_refused_and_touches_nothing(
    pg_database: str, tmp_path: Path
) -> None:
    old, url, dump = demo_backed_up(pg_database, tmp_path)
    succeeded(
        run_bridgework(
            "createorg",
            "Initech",
            "--admin-email",
            "after@initech.test",
            data_dir=old,
            DATABASE_URL=url,
        )
    )
    before = pg_rows(pg_database)
    data_dir = new_machine(tmp_path, keys_from=None)

    line = one_sentence(
        run_bridgework("restore", str(dump), "--yes", data_dir=data_dir, DATABASE_URL=url)
    )

    assert f"master key {master_key_id(old)}" in line
    assert pg_rows(pg_database) == before


# --- PostgreSQL goes away under a running serve ---------------------------------------------


class CuttableProxy:
    """A TCP proxy to PostgreSQL that the test can cut (refusing and dropping) and restore."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._listener: socket.socket | None = None
        self.restore()

    def restore(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        self._stop.clear()
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def cut(self) -> None:
        self._stop.set()
        if self._listener is not None:
            self._listener.close()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=60)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            upstream.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def get(port: int, path: str, **headers: str) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def status_of(port: int, path: str, **headers: str) -> int | None:
    try:
        return get(port, path, **headers)[0]
    except OSError:
        return None


def wait_until(condition: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Gave up waiting for {what} after {seconds} seconds.")
        time.sleep(0.25)


@needs_postgresql
def test_serve_answers_503_while_postgresql_is_away_and_recovers_by_itself(
    pg_database: str, tmp_path: Path
) -> None:
    target = urlsplit(PG_URL)
    proxy = CuttableProxy((target.hostname or "127.0.0.1", target.port or 5432))
    port = free_port()
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bridgework",
            "serve",
            "--no-worker",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        cwd=REPO,
        env=child_environment(
            tmp_path / "data", DATABASE_URL=url_for(pg_database, port=proxy.port)
        ),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    signed_in = {"Cookie": "sessionid=a-session-the-database-must-look-up"}
    try:
        wait_until(lambda: status_of(port, "/healthz") == 200, seconds=600, what="serve to start")

        proxy.cut()
        wait_until(lambda: status_of(port, "/healthz") == 503, seconds=300, what="healthz 503")
        for _ in range(5):
            status, headers, page = get(port, "/", **signed_in)
            assert status == 503
            assert headers["Retry-After"] == "30"
            assert "back in a moment" in page
        assert serve.poll() is None

        proxy.restore()
        wait_until(lambda: status_of(port, "/healthz") == 200, seconds=300, what="recovery")
        assert status_of(port, "/", **signed_in) == 302
        assert serve.poll() is None
    finally:
        serve.terminate()
        try:
            serve.wait(timeout=300)
        except subprocess.TimeoutExpired:
            serve.kill()
        proxy.cut()
        log.close()
