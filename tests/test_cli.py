"""The `bridgework` command line and the key files it creates on first start.

Bad configuration must stop start-up with one sentence an operator can act on, never a
traceback. The few subprocess tests run the real `python -m bridgework` with a throwaway
data directory and SQLite, whatever database the test run itself uses.
"""

from __future__ import annotations

import base64
import io
import os
import runpy
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection

from bridgework import cli
from bridgework.accounts import services as account_services
from bridgework.accounts.demo import DEMO_PASSWORD_FILE
from bridgework.accounts.models import Invitation, Organisation, Person, Role
from bridgework.lib import keyfiles
from bridgework.settings import base_url

from .subprocess_support import copy_data_dir, own_sqlite, run_bridgework

REPO = Path(__file__).resolve().parent.parent
SETTINGS_FILE = REPO / "bridgework" / "settings.py"
COMMANDS = ["serve", "worker", "demo", "createorg", "backup", "rotate-keys"]


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def assert_one_clear_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert "Traceback" not in stderr
    assert len(lines) == 1, stderr
    return lines[0]


# --- Key files -------------------------------------------------------------------------------


def test_first_start_creates_private_secret_and_master_key_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "new" / "data"

    secret = keyfiles.load_or_create_secret_key(data_dir)
    master_keys = keyfiles.load_or_create_master_keys(data_dir)

    assert mode_of(data_dir / keyfiles.SECRET_KEY_FILE) == 0o600
    assert mode_of(data_dir / keyfiles.MASTER_KEYS_FILE) == 0o600
    assert len(secret) >= 50
    [(key_id, key)] = master_keys
    assert key_id
    assert len(key) == 32


def test_a_second_start_reads_the_same_keys_back(tmp_path: Path) -> None:
    def start() -> tuple[str, list[tuple[str, bytes]]]:
        return (
            keyfiles.load_or_create_secret_key(tmp_path),
            keyfiles.load_or_create_master_keys(tmp_path),
        )

    first = start()

    second = start()

    assert first == second


def test_replacing_the_master_keys_keeps_the_file_private(tmp_path: Path) -> None:
    keys = [keyfiles.new_master_key(), keyfiles.new_master_key()]

    keyfiles.replace_master_keys(tmp_path, keys)

    assert mode_of(tmp_path / keyfiles.MASTER_KEYS_FILE) == 0o600
    assert keyfiles.load_or_create_master_keys(tmp_path) == keys


def a_key() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


@pytest.mark.parametrize(
    ("contents", "expected"),
    [
        (lambda: f"good:{a_key()}\nbad:not base64!\n", "Line 2"),
        (lambda: f"short:{base64.b64encode(os.urandom(16)).decode()}\n", "256-bit"),
        (lambda: f":{a_key()}\n", "with an id"),
        (lambda: "# only a comment\n\n", "holds no key"),
    ],
    ids=["not-base64", "short-key", "missing-id", "empty"],
)
def test_a_corrupt_master_key_file_raises_one_clear_sentence(
    tmp_path: Path, contents: object, expected: str
) -> None:
    path = tmp_path / keyfiles.MASTER_KEYS_FILE
    path.write_text(contents())  # type: ignore[operator]

    with pytest.raises(keyfiles.KeyFileError) as raised:
        keyfiles.load_or_create_master_keys(tmp_path)

    message = str(raised.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message
    assert message.endswith(".")


def test_an_unreadable_key_file_raises_one_clear_sentence(tmp_path: Path) -> None:
    (tmp_path / keyfiles.MASTER_KEYS_FILE).write_bytes(b"\xff\xfe binary junk")
    (tmp_path / keyfiles.SECRET_KEY_FILE).mkdir()  # a directory where the file should be

    for load in (keyfiles.load_or_create_master_keys, keyfiles.load_or_create_secret_key):
        with pytest.raises(keyfiles.KeyFileError) as raised:
            load(tmp_path)
        message = str(raised.value)
        assert message.startswith("Cannot read the key file")
        assert "\n" not in message
        assert message.endswith(".")


def test_a_too_short_secret_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / keyfiles.SECRET_KEY_FILE).write_text("short\n")

    with pytest.raises(keyfiles.KeyFileError, match="too short"):
        keyfiles.load_or_create_secret_key(tmp_path)


def test_settings_take_the_demo_password_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGEWORK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIDGEWORK_DEMO_PASSWORD", "river-stone-42")

    assert runpy.run_path(str(SETTINGS_FILE))["DEMO_PASSWORD"] == "river-stone-42"


def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("BRIDGEWORK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    database: dict[str, Any] = runpy.run_path(str(SETTINGS_FILE))["DATABASES"]["default"]
    return database


def test_sqlite_lets_readers_work_during_a_write_and_writers_wait_their_turn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    options = sqlite_settings(tmp_path, monkeypatch)["OPTIONS"]

    assert "PRAGMA journal_mode=WAL" in options["init_command"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] == 20


def test_the_sqlite_busy_timeout_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGEWORK_SQLITE_BUSY_SECONDS", "5")

    assert sqlite_settings(tmp_path, monkeypatch)["OPTIONS"]["timeout"] == 5


def test_a_busy_timeout_below_one_second_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIDGEWORK_SQLITE_BUSY_SECONDS", "0")

    with pytest.raises(ImproperlyConfigured, match="BRIDGEWORK_SQLITE_BUSY_SECONDS must be"):
        sqlite_settings(tmp_path, monkeypatch)


def test_a_sqlite_connection_waits_as_long_as_the_setting_says(db: None) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only.")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        [(milliseconds,)] = cursor.fetchall()

    assert milliseconds == django_settings.SQLITE_BUSY_SECONDS * 1000


# --- The base URL links start with ------------------------------------------------------------


def test_serve_hands_its_host_and_port_to_the_web_server_and_worker() -> None:
    environment = cli.serve_environment(["--port", "8102"], {"PATH": "/usr/bin"})

    assert environment["BRIDGEWORK_HOST"] == "127.0.0.1"
    assert environment["BRIDGEWORK_PORT"] == "8102"
    assert environment["PATH"] == "/usr/bin"
    assert base_url(environment) == "http://127.0.0.1:8102"


def test_the_serve_options_win_over_the_environment_defaults() -> None:
    environment = cli.serve_environment(
        ["--host", "localhost", "--port", "9000"],
        {"BRIDGEWORK_HOST": "127.0.0.1", "BRIDGEWORK_PORT": "8000"},
    )

    assert base_url(environment) == "http://localhost:9000"


def test_a_configured_base_url_wins_over_the_served_address() -> None:
    environment = cli.serve_environment(
        ["--port", "8102"], {"BRIDGEWORK_BASE_URL": "https://bridgework.example.com/"}
    )

    assert base_url(environment) == "https://bridgework.example.com"


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("0.0.0.0", "http://127.0.0.1:8102"),  # noqa: S104  (a test value, nothing binds)
        ("::", "http://127.0.0.1:8102"),
        ("::1", "http://[::1]:8102"),
    ],
)
def test_a_wildcard_or_ipv6_host_still_makes_an_address_a_browser_opens(
    host: str, expected: str
) -> None:
    environment = cli.serve_environment(["--host", host, "--port", "8102"], {})

    assert base_url(environment) == expected


def test_without_serve_or_settings_links_use_the_usual_local_address() -> None:
    assert base_url({}) == "http://127.0.0.1:8000"


def test_an_invitation_sent_while_serving_on_another_port_links_to_that_port(
    pending_invitation: tuple[Invitation, str], settings: Any
) -> None:
    settings.BASE_URL = base_url(cli.serve_environment(["--port", "8102"], {}))
    invitation, _ = pending_invitation

    assert account_services.queue_invitation(invitation.pk, send_key="port-test")

    [message] = mail.outbox
    assert "http://127.0.0.1:8102/invitation/" in str(message.body)
    assert "127.0.0.1:8000" not in str(message.body)


# --- Subprocess: start-up and bad configuration ------------------------------------------------


@own_sqlite
def test_help_lists_every_command(tmp_path: Path) -> None:
    result = run_bridgework("--help", data_dir=tmp_path)

    assert result.returncode == 0
    for command in COMMANDS:
        assert f"\n  {command}" in result.stdout, command


@own_sqlite
def test_serve_help_prints_the_usage_and_starts_nothing(tmp_path: Path) -> None:
    result = run_bridgework("serve", "--help", data_dir=tmp_path)

    assert result.returncode == 0
    assert "serve [--demo]" in result.stdout
    assert not (tmp_path / "bridgework.sqlite3").exists()


@own_sqlite
def test_serve_refuses_an_option_it_does_not_know(tmp_path: Path) -> None:
    result = run_bridgework("serve", "--dmeo", data_dir=tmp_path)

    assert result.returncode == 2
    assert "unknown option '--dmeo'" in result.stderr
    assert not (tmp_path / "bridgework.sqlite3").exists()


@own_sqlite
@pytest.mark.parametrize("url", ["mysql://x", "not a url"])
def test_a_bad_database_url_stops_start_up_with_one_clear_line(tmp_path: Path, url: str) -> None:
    result = run_bridgework("demo", data_dir=tmp_path, DATABASE_URL=url)

    assert result.returncode != 0
    line = assert_one_clear_line(result.stderr)
    assert line.startswith("bridgework: DATABASE_URL")
    assert not (tmp_path / "bridgework.sqlite3").exists()


@own_sqlite
def test_an_unreachable_database_stops_start_up_with_one_clear_line(tmp_path: Path) -> None:
    result = run_bridgework(
        "demo", data_dir=tmp_path, DATABASE_URL="postgresql://nobody@127.0.0.1:1/bridgework"
    )

    assert result.returncode != 0
    assert "cannot connect to the database" in assert_one_clear_line(result.stderr)


@own_sqlite
def test_an_unreadable_key_file_stops_start_up_and_is_left_untouched(tmp_path: Path) -> None:
    key_file = tmp_path / keyfiles.MASTER_KEYS_FILE
    key_file.write_text("this is not a key\n")

    result = run_bridgework("demo", data_dir=tmp_path)

    assert result.returncode != 0
    line = assert_one_clear_line(result.stderr)
    assert str(key_file) in line
    assert line.endswith(".")
    assert key_file.read_text() == "this is not a key\n"


# --- Subprocess: createorg and backup against a real SQLite file ---------------------------


INITECH_PASSWORD = "blue-stapler-on-a-friday"


@pytest.fixture(scope="module")
def initech(
    tmp_path_factory: pytest.TempPathFactory, migrated_data_dir: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """A migrated SQLite data directory in which `createorg Initech` has run once."""
    data_dir = copy_data_dir(migrated_data_dir, tmp_path_factory.mktemp("initech") / "data")
    created = run_bridgework(
        "createorg",
        "Initech",
        "--admin-email",
        "a@initech.test",
        "--password-stdin",
        data_dir=data_dir,
        stdin=INITECH_PASSWORD + "\n",
    )
    return data_dir, created


def query(database: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as db:
        return db.execute(sql, params).fetchall()


@own_sqlite
def test_createorg_creates_the_organisation_and_its_first_admin(
    initech: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, result = initech
    database = data_dir / "bridgework.sqlite3"

    assert result.returncode == 0, result.stderr
    assert "a@initech.test" in result.stdout
    assert INITECH_PASSWORD not in result.stdout
    [(org_id,)] = query(database, "SELECT id FROM accounts_organisation WHERE name = 'Initech'")
    [(person_id, organisation_id, password_hash)] = query(
        database,
        "SELECT id, organisation_id, password FROM accounts_person WHERE email = ?",
        "a@initech.test",
    )
    assert organisation_id == org_id
    roles = {
        role
        for (role,) in query(
            database, "SELECT role FROM accounts_roleassignment WHERE person_id = ?", person_id
        )
    }
    assert roles == {Role.PROGRAM_ADMIN, Role.PARTICIPANT}
    assert PBKDF2PasswordHasher().verify(INITECH_PASSWORD, str(password_hash))


@own_sqlite
def test_createorg_with_an_existing_email_fails_cleanly(
    initech: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    data_dir, _ = initech
    database = data_dir / "bridgework.sqlite3"
    organisations_before = query(database, "SELECT COUNT(*) FROM accounts_organisation")

    result = run_bridgework(
        "createorg",
        "Initrode",
        "--admin-email",
        "A@initech.test",
        "--password-stdin",
        data_dir=data_dir,
        stdin="another-long-password\n",
    )

    assert result.returncode != 0
    assert "already exists" in assert_one_clear_line(result.stderr)
    assert query(database, "SELECT COUNT(*) FROM accounts_organisation") == organisations_before


@own_sqlite
def test_backup_writes_a_private_readable_sqlite_copy(
    initech: tuple[Path, subprocess.CompletedProcess[str]], tmp_path: Path
) -> None:
    data_dir, _ = initech
    output = tmp_path / "copy.sqlite3"

    result = run_bridgework("backup", "--output", str(output), data_dir=data_dir)

    assert result.returncode == 0, result.stderr
    assert str(output) in result.stdout
    assert mode_of(output) == 0o600
    live = query(data_dir / "bridgework.sqlite3", "SELECT email FROM accounts_person ORDER BY id")
    assert live
    assert query(output, "SELECT email FROM accounts_person ORDER BY id") == live


# --- In-process: demo, createorg and backup details ------------------------------------------


def test_demo_prints_the_five_sign_ins_with_the_configured_password(
    db: None, settings: object
) -> None:
    settings.DEMO_PASSWORD = "river-stone-42"  # type: ignore[attr-defined]
    out = io.StringIO()

    call_command("demo", stdout=out)

    sign_ins = [line.split() for line in out.getvalue().splitlines() if "river-stone-42" in line]
    assert len(sign_ins) == 5
    demo = Organisation.objects.get(is_demo=True)
    for words in sign_ins:
        email = next(word for word in words if "@" in word)
        person = Person.objects.get(email=email)
        assert person.organisation == demo
        assert person.check_password("river-stone-42")


def test_without_a_configured_demo_password_one_is_generated_kept_private_and_reused(
    db: None, settings: object, tmp_path: Path
) -> None:
    settings.DEMO_PASSWORD = ""  # type: ignore[attr-defined]
    settings.DATA_DIR = tmp_path  # type: ignore[attr-defined]
    first, second = io.StringIO(), io.StringIO()

    call_command("demo", stdout=first)
    call_command("demo", stdout=second)

    password = (tmp_path / DEMO_PASSWORD_FILE).read_text().strip()
    assert len(password) >= 12
    assert mode_of(tmp_path / DEMO_PASSWORD_FILE) == 0o600
    assert first.getvalue().count(password) == 5
    assert second.getvalue() == first.getvalue()
    assert Organisation.objects.filter(is_demo=True).count() == 1


def test_createorg_reads_the_admin_password_from_stdin(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(INITECH_PASSWORD + "\n"))
    out = io.StringIO()

    call_command(
        "createorg",
        "Initech",
        "--admin-email",
        "a@initech.test",
        "--admin-name",
        "Bill",
        "--password-stdin",
        stdout=out,
    )

    organisation = Organisation.objects.get(name="Initech")
    admin = Person.objects.get(email="a@initech.test")
    assert admin.organisation == organisation
    assert admin.chosen_name == "Bill"
    assert admin.role_set() == {Role.PROGRAM_ADMIN, Role.PARTICIPANT}
    assert admin.check_password(INITECH_PASSWORD)
    assert INITECH_PASSWORD not in out.getvalue()


def test_createorg_without_a_password_generates_and_prints_one(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # not a terminal, nothing piped
    out = io.StringIO()

    call_command("createorg", "Initech", "--admin-email", "a@initech.test", stdout=out)

    admin = Person.objects.get(email="a@initech.test")
    printed = out.getvalue().split("Their password: ")[1].split()[0]
    assert admin.check_password(printed)


def test_createorg_with_an_existing_email_raises_a_command_error(
    participant: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("another-long-password\n"))
    organisations_before = Organisation.objects.count()

    with pytest.raises(CommandError, match="already exists"):
        call_command(
            "createorg",
            "Initech",
            "--admin-email",
            participant.email.upper(),
            "--password-stdin",
            stdout=io.StringIO(),
        )

    assert Organisation.objects.count() == organisations_before


def test_backup_refuses_to_overwrite_an_existing_file(db: None, tmp_path: Path) -> None:
    output = tmp_path / "existing.backup"
    output.write_text("keep me")

    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(output), stdout=io.StringIO())

    assert output.read_text() == "keep me"


@pytest.mark.django_db(transaction=True)
def test_backup_of_postgresql_writes_a_private_restorable_dump(tmp_path: Path) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("DATABASE_URL is not PostgreSQL; the SQLite backup is tested above.")
    if shutil.which("pg_restore") is None:
        pytest.skip("pg_restore is not installed.")
    from bridgework.accounts import services

    organisation = Organisation.objects.create(name="Initech", slug="initech")
    services.create_person(
        organisation=organisation,
        email="backed-up@initech.test",
        chosen_name="Milton",
        password="red-stapler-please",
        roles={Role.PARTICIPANT},
    )
    output = tmp_path / "bridgework.dump"

    call_command("backup", "--output", str(output), stdout=io.StringIO())

    assert mode_of(output) == 0o600
    restored = subprocess.run(
        ["pg_restore", "--data-only", "--table=accounts_person", "--file=-", str(output)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    )
    assert "backed-up@initech.test" in restored.stdout
    assert django_settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
