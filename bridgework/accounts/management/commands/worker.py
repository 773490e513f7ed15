"""`bridgework worker`: run background tasks, and enqueue the periodic ones on schedule.

Each worker runs the schedule; duplicates are harmless because periodic tasks are idempotent
(reminders, for one, are claimed through a unique constraint).
"""

import threading
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string


def _schedule(stop: threading.Event) -> None:
    next_run: dict[str, float] = {}
    while not stop.is_set():
        now = time.monotonic()
        for path, every in settings.PERIODIC_TASKS:
            if next_run.get(path, 0.0) <= now:
                try:
                    import_string(path).enqueue()
                finally:
                    close_old_connections()
                next_run[path] = now + every
        stop.wait(5)


class Command(BaseCommand):
    help = "Run background tasks and the periodic schedule (reminders and more)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="Only run tasks.")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["no_schedule"]:
            threading.Thread(target=_schedule, args=(stop,), daemon=True, name="schedule").start()
        try:
            call_command("db_worker", "--queue-name", "*")
        finally:
            stop.set()
