"""A copy of the test database's rows, taken once and put back before each test that wants them.

SQLite (the test database lives in memory) copies whole through its backup API. PostgreSQL
copies table by table with COPY, inside one transaction: Django's foreign keys are checked at
commit, so the order of the tables does not matter, and each sequence is then moved past the
largest id, as `loaddata` does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class DatabaseCopy:
    sqlite: sqlite3.Connection | None = None
    tables: dict[str, bytes] = field(default_factory=dict)

    @classmethod
    def take(cls) -> DatabaseCopy:
        connection.ensure_connection()
        if connection.vendor == "sqlite":
            copy = sqlite3.connect(":memory:", check_same_thread=False)
            _raw_sqlite().backup(copy)
            return cls(sqlite=copy)
        tables = {}
        with connection.cursor() as cursor:
            for table in _tables():
                with cursor.cursor.copy(f"COPY {_quote(table)} TO STDOUT (FORMAT BINARY)") as copy:
                    tables[table] = b"".join(bytes(chunk) for chunk in copy)
        return cls(tables=tables)

    def restore(self) -> None:
        connection.ensure_connection()
        if self.sqlite is not None:
            self.sqlite.backup(_raw_sqlite())
            return
        with transaction.atomic(), connection.cursor() as cursor:
            # After `flush` only the content types and permissions are left; DELETE is much
            # cheaper than TRUNCATE for so few rows (no new files for the server to sync).
            for table in _tables():
                cursor.execute(f"DELETE FROM {_quote(table)}")  # noqa: S608  (our own tables)
            for table, rows in self.tables.items():
                with cursor.cursor.copy(f"COPY {_quote(table)} FROM STDIN (FORMAT BINARY)") as copy:
                    copy.write(rows)
            models = apps.get_models(include_auto_created=True)
            for statement in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)


def _raw_sqlite() -> Any:
    return connection.connection


def _tables() -> list[str]:
    """The tables `flush` empties after each test: every model's, not django_migrations."""
    return sorted(connection.introspection.django_table_names(only_existing=True))


def _quote(table: str) -> str:
    return connection.ops.quote_name(table)
