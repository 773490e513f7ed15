"""`bridgework worker`: run background tasks, send queued e-mail, keep the periodic schedule.

Run one or several. Each holds its tasks under a lease renewed by a heartbeat, so the tasks
of a killed worker are picked up again; each runs the schedule, which queues a periodic
task once per slot however many workers there are.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.crypto import get_random_string

from bridgework.jobs.worker import LeasedWorker


class Command(BaseCommand):
    help = "Run background tasks, the e-mail outbox and the periodic schedule."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-schedule", action="store_true", help="Only run tasks.")
        parser.add_argument(
            "--batch", action="store_true", help="Run what is waiting now, then stop."
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds to wait when idle."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        worker = LeasedWorker(
            schedule_periodic=not options["no_schedule"] and not options["batch"],
            queue_names=["*"],
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=get_random_string(32),
            excluded_queue_names=[],
        )
        worker.configure_signals()
        worker.run()
