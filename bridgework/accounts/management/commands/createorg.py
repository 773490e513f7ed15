import getpass
import secrets
import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.accounts.services import create_organisation


class Command(BaseCommand):
    help = "Create a new organisation and its first program admin."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="The organisation's name.")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="Program admin")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the admin's password from standard input instead of generating one.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        generated = False
        if options["password_stdin"]:
            password = sys.stdin.readline().rstrip("\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password for the first admin (empty: generate one): ")
        else:
            password = ""
        if not password:
            password, generated = secrets.token_urlsafe(12), True
        try:
            organisation, admin = create_organisation(
                name=options["name"],
                admin_email=options["admin_email"],
                admin_name=options["admin_name"],
                admin_password=password,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Created {organisation.name}; first program admin: {admin.email}")
        if generated:
            self.stdout.write(f"Their password: {password}  (ask them to change it)")
