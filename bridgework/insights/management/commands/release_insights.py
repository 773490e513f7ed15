"""`bridgework manage release_insights [--org SLUG]`: release every closed month not yet
released, now (the worker does it every hour)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.accounts.models import Organisation
from bridgework.insights import releases


class Command(BaseCommand):
    help = "Release the insights of closed months not yet released (every organisation, or one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="the organisation's slug (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        organisations = Organisation.objects.order_by("pk")
        if options["org"]:
            organisations = organisations.filter(slug=options["org"])
            if not organisations.exists():
                raise CommandError(f"No organisation with the slug {options['org']!r}.")
        for organisation in organisations:
            started = time.perf_counter()
            made = releases.release_closed_months(organisation=organisation)
            seconds = time.perf_counter() - started
            months = ", ".join(f"{r.month:%B %Y}" for r in made) or "nothing new"
            self.stdout.write(f"{organisation.slug}: {months} ({seconds:.1f} s)")
