import os
import shutil
import sqlite3
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import timezone

from bridgework.operations.models import BackupRecord


class Command(BaseCommand):
    help = "Write a consistent copy of the database (SQLite online backup, or pg_dump)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", help="Where to write the backup file.")

    def handle(self, *args: Any, **options: Any) -> None:
        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")
        vendor = connection.vendor
        suffix = "sqlite3" if vendor == "sqlite" else "dump"
        output = Path(
            options["output"]
            or Path(settings.DATA_DIR) / "backups" / f"bridgework-{stamp}.{suffix}"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        if output.exists():
            raise CommandError(f"{output} already exists; choose another --output.")
        if vendor == "sqlite":
            self._sqlite(output)
        elif vendor == "postgresql":
            self._postgres(output)
        else:
            raise CommandError(f"Backups of {vendor} databases are not supported.")
        os.chmod(output, 0o600)
        BackupRecord.objects.create(
            made_at=timezone.now(),
            path=str(output.resolve()),
            size_bytes=output.stat().st_size,
            vendor=vendor,
        )
        self.stdout.write(f"Backup written to {output}")
        self.stdout.write(
            "It holds wrapped data keys but not the master keys: keep the data directory's "
            "master_keys file safe separately, or the backup's private fields cannot be read."
        )

    def _sqlite(self, output: Path) -> None:
        # Through Django's own connection: a second connection to the same database would wait
        # for as long as this one holds a transaction (an in-memory test database, or a
        # command run inside one).
        connection.ensure_connection()
        source = connection.connection
        target = sqlite3.connect(str(output))
        try:
            with target:
                source.backup(target)
        finally:
            target.close()

    def _postgres(self, output: Path) -> None:
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise CommandError("pg_dump is not installed; install the PostgreSQL client tools.")
        db = settings.DATABASES["default"]
        env = dict(os.environ)
        env.update(
            {
                key: str(value)
                for key, value in {
                    "PGHOST": db.get("HOST"),
                    "PGPORT": db.get("PORT"),
                    "PGUSER": db.get("USER"),
                    "PGPASSWORD": db.get("PASSWORD"),
                }.items()
                if value
            }
        )
        result = subprocess.run(  # noqa: S603  (fixed program, arguments from settings)
            [pg_dump, "--format=custom", "--no-owner", f"--file={output}", str(db["NAME"])],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            output.unlink(missing_ok=True)
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")
