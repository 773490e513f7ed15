from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.front import catalogs


class Command(BaseCommand):
    help = "Check the translation catalogs, or build the pseudo-locales used to test them."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="Fail on untranslated or fuzzy messages.")
        check.add_argument("--locale-dir", type=Path, default=None)
        actions.add_parser("pseudo", help="Write the en-xa and ar-xb pseudo-locales.")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "pseudo":
            for language, count in catalogs.write_pseudo_catalogs().items():
                self.stdout.write(f"{language}: {count} messages")
            return
        results = [
            catalogs.completeness(language, options["locale_dir"])
            for language in catalogs.TRANSLATED_LANGUAGES
        ]
        for result in results:
            self.stdout.write(str(result))
        incomplete = [result.language for result in results if not result.complete]
        if incomplete:
            raise CommandError(
                f"Translate every message in {', '.join(incomplete)} "
                "(make messages, then edit bridgework/locale/<language>/LC_MESSAGES/django.po)."
            )
