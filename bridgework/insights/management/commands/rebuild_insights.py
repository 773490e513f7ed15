"""`bridgework manage rebuild_insights [--org SLUG]`: rebuild the insights rollups now."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.accounts.models import Organisation
from bridgework.insights import rollups


class Command(BaseCommand):
    help = "Rebuild the insights rollups from the source tables (every organisation, or one)."

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
            rollups.rebuild(organisation=organisation)
            seconds = time.perf_counter() - started
            self.stdout.write(f"{organisation.slug}: rebuilt in {seconds:.1f} s")
