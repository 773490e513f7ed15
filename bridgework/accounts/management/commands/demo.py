from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from bridgework.accounts.demo import create_demo, demo_sign_ins


class Command(BaseCommand):
    help = "Create the demo organisation, or with --reset delete and recreate it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--reset", action="store_true", help="Delete and recreate the demo.")

    def handle(self, *args: Any, reset: bool, **options: Any) -> None:
        organisation = create_demo(reset=reset)
        self.stdout.write(f"Demo organisation ready: {organisation.name}")
        for label, email, password in demo_sign_ins():
            self.stdout.write(f"  {label:<38} {email:<28} {password}")
