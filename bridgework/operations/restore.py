"""Restoring a backup made by `bridgework backup`, for SQLite and PostgreSQL.

Nothing is touched until the backup has been read read-only and every data key in it opens
with the key file's master keys. Afterwards the result is checked: the same number of rows
in every table, and a sample of every private field decrypts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connection, connections

from bridgework.accounts import encryption
from bridgework.lib import crypto, keyfiles

from .keys import key_file, problem_with_wrapped_keys

DATA_KEY_TABLE = "accounts_datakey"
SAMPLE_PER_FIELD = 20


class RestoreError(Exception):
    """Why a restore was refused or failed, in one sentence for the operator."""


@dataclass
class BackupContents:
    """What the backup holds: rows per table and the wrapped data keys."""

    row_counts: dict[str, int] = field(default_factory=dict)
    wrapped_keys: list[tuple[int, str, bytes]] = field(default_factory=list)


def master_keys() -> dict[str, bytes]:
    """The key file as it is on disk now (the operator may just have copied it in)."""
    return dict(keyfiles.load_or_create_master_keys(Path(settings.DATA_DIR)))


def refuse_unless_keys_open(contents: BackupContents) -> None:
    if DATA_KEY_TABLE not in contents.row_counts:
        raise RestoreError(
            f"This backup has no {DATA_KEY_TABLE} table, so it is not a Bridgework backup."
        )
    problem = problem_with_wrapped_keys(
        contents.wrapped_keys, master_keys(), key_file(), holder="The backup", before="restoring"
    )
    if problem is not None:
        raise RestoreError(problem)


# --- SQLite -----------------------------------------------------------------------------------


def _open_read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{quote(str(path.resolve()))}?mode=ro", uri=True)


def read_sqlite_backup(path: Path) -> BackupContents:
    try:
        backup = _open_read_only(path)
        try:
            [(verdict,)] = backup.execute("PRAGMA quick_check").fetchall()
            if verdict != "ok":
                raise RestoreError(f"{path} is damaged (SQLite's quick check says {verdict!r}).")
            tables = [
                name
                for (name,) in backup.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            ]
            contents = BackupContents(
                row_counts={
                    table: backup.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                    for table in tables
                }
            )
            if DATA_KEY_TABLE in tables:
                contents.wrapped_keys = [
                    (int(pk), str(master_key_id), bytes(wrapped))
                    for pk, master_key_id, wrapped in backup.execute(
                        f"SELECT id, master_key_id, wrapped_key FROM {DATA_KEY_TABLE}"  # noqa: S608
                    )
                ]
        finally:
            backup.close()
    except sqlite3.DatabaseError as error:
        raise RestoreError(
            f"{path} is not a SQLite backup Bridgework can read ({error})."
        ) from None
    return contents


def restore_sqlite(path: Path) -> Path | None:
    """Copy the backup over the live database; returns where the old database was kept."""
    target = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    kept = None
    if _has_tables(target):
        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")
        kept = target.with_name(f"{target.name}.before-restore-{stamp}")
        _sqlite_copy(sqlite3.connect(str(target)), kept)
        os.chmod(kept, 0o600)
    source = _open_read_only(path)
    _sqlite_copy(source, target)
    return kept


def _has_tables(database: Path) -> bool:
    if not database.exists():
        return False
    with contextlib.closing(sqlite3.connect(str(database))) as db:
        return bool(db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0])


def _sqlite_copy(source: sqlite3.Connection, target: Path) -> None:
    destination = sqlite3.connect(str(target))
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()


# --- PostgreSQL -------------------------------------------------------------------------------

COPY_HEADER = re.compile(r"^COPY (?:[\w\"]+\.)?\"?(?P<table>[^\s\"(]+)\"? \((?P<columns>[^)]*)\)")


def postgres_env() -> dict[str, str]:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    for name, value in {
        "PGHOST": db.get("HOST"),
        "PGPORT": db.get("PORT"),
        "PGUSER": db.get("USER"),
        "PGPASSWORD": db.get("PASSWORD"),
    }.items():
        if value:
            env[name] = str(value)
    return env


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RestoreError(f"{name} is not installed; install the PostgreSQL client tools.")
    return found


def parse_copy_stream(lines: Iterable[str]) -> BackupContents:
    """Rows per table and the wrapped data keys, from `pg_restore --data-only --file=-`.

    Each table's data is a `COPY table (columns) FROM stdin;` line, one line per row (line
    breaks inside values are escaped), and a closing `\\.` line.
    """
    contents = BackupContents()
    table: str | None = None
    columns: list[str] = []
    for line in lines:
        line = line.rstrip("\n")
        if table is None:
            match = COPY_HEADER.match(line)
            if match:
                table = match["table"]
                columns = [column.strip().strip('"') for column in match["columns"].split(",")]
                contents.row_counts[table] = 0
            continue
        if line == "\\.":
            table = None
            continue
        contents.row_counts[table] += 1
        if table == DATA_KEY_TABLE:
            row = dict(zip(columns, line.split("\t"), strict=True))
            # bytea in COPY's text format: \x and hex digits, the backslash itself escaped.
            wrapped = bytes.fromhex(row["wrapped_key"].removeprefix("\\\\x"))
            contents.wrapped_keys.append((int(row["id"]), row["master_key_id"], wrapped))
    return contents


def read_postgres_backup(path: Path) -> BackupContents:
    process = subprocess.Popen(  # noqa: S603  (fixed program, our own arguments)
        [_program("pg_restore"), "--data-only", "--file=-", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    assert process.stdout is not None  # for mypy: PIPE was asked for
    contents = parse_copy_stream(process.stdout)
    _, errors = process.communicate()
    if process.returncode != 0:
        first = errors.strip().splitlines()[0] if errors.strip() else "no message"
        raise RestoreError(f"pg_restore cannot read {path} ({first}).")
    return contents


def restore_postgres(path: Path) -> None:
    connections.close_all()
    result = subprocess.run(  # noqa: S603  (fixed program, our own arguments)
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={settings.DATABASES['default']['NAME']}",
            str(path),
        ],
        env=postgres_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        first = result.stderr.strip().splitlines()[0] if result.stderr.strip() else "no message"
        raise RestoreError(f"pg_restore failed and changed nothing ({first}).")


# --- Both -------------------------------------------------------------------------------------


def read_backup(path: Path) -> BackupContents:
    if not path.is_file():
        raise RestoreError(f"There is no backup file at {path}.")
    if connection.vendor == "sqlite":
        return read_sqlite_backup(path)
    if connection.vendor == "postgresql":
        return read_postgres_backup(path)
    raise RestoreError(f"Restoring {connection.vendor} databases is not supported.")


def restore(path: Path) -> Path | None:
    if connection.vendor == "sqlite":
        return restore_sqlite(path)
    restore_postgres(path)
    return None


def compare_row_counts(expected: dict[str, int]) -> None:
    """Every table holds as many rows as the backup did."""
    existing = set(connection.introspection.table_names())
    with connection.cursor() as cursor:
        for table, count in sorted(expected.items()):
            if table not in existing:
                raise RestoreError(f"After the restore the table {table} is missing.")
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            found = cursor.fetchone()[0]
            if found != count:
                raise RestoreError(
                    f"After the restore {table} holds {found} rows, but the backup held {count}."
                )


def check_private_fields(sample: int = SAMPLE_PER_FIELD) -> tuple[int, int]:
    """Decrypt up to `sample` values of every encrypted field; (read, could not read)."""
    settings.FIELD_ENCRYPTION_KEYS = keyfiles.load_or_create_master_keys(Path(settings.DATA_DIR))
    encryption.key_cache.clear()
    read = unreadable = 0
    for model in apps.get_models():
        for model_field in model._meta.concrete_fields:
            if not isinstance(
                model_field, encryption.EncryptedTextField | encryption.EncryptedJSONField
            ):
                continue
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(str(model_field.column))
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
                    f"ORDER BY 1 LIMIT {int(sample)}"
                )
                values = [value for (value,) in cursor.fetchall()]
            for value in values:
                try:
                    key = encryption.key_by_id(crypto.ciphertext_key_id(value))
                    crypto.decrypt_text(value, key=key)
                except crypto.DecryptionError:
                    unreadable += 1
                else:
                    read += 1
    return read, unreadable
