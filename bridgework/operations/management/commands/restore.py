import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from bridgework.operations import restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup from `bridgework backup`, after checking that "
        "the key file opens every data key in it; then check the result."
    )
    # The live database may be empty or belong to other keys: that is why we restore.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The backup file (.sqlite3 or a pg_dump .dump).")
        parser.add_argument(
            "--yes", action="store_true", help="Do not ask before replacing the database."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        try:
            contents = restore.read_backup(path)
            restore.refuse_unless_keys_open(contents)
        except restore.RestoreError as error:
            raise CommandError(str(error)) from None
        people = contents.row_counts.get("accounts_person", 0)
        self.stdout.write(
            f"{path}: {sum(contents.row_counts.values())} rows in "
            f"{len(contents.row_counts)} tables, {people} people; the key file opens all "
            f"{len(contents.wrapped_keys)} data keys."
        )
        self._confirm(options["yes"])
        try:
            kept = restore.restore(path)
            restore.compare_row_counts(contents.row_counts)
        except restore.RestoreError as error:
            raise CommandError(str(error)) from None
        if kept is not None:
            self.stdout.write(f"The database as it was before is kept in {kept}.")
        # A backup from an older release gets this release's tables and columns.
        call_command("migrate", "--noinput", "--verbosity", "0")
        read, unreadable = restore.check_private_fields()
        if unreadable:
            raise CommandError(
                f"Restored, but {unreadable} of {read + unreadable} sampled private values "
                "cannot be decrypted with the key file."
            )
        self.stdout.write(
            f"Restored into the {connection.vendor} database: every table has the backup's "
            f"row count, and {read} sampled private values decrypt."
        )

    def _confirm(self, yes: bool) -> None:
        if yes:
            return
        if not sys.stdin.isatty():
            raise CommandError(
                "Restoring replaces the whole database: run again with --yes to go ahead."
            )
        answer = input("Replace the whole database with this backup? Type yes to go ahead: ")
        if answer.strip().lower() != "yes":
            raise CommandError("Nothing was restored.")
