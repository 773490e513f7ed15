from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.accounts.models import Organisation
from bridgework.curriculum.content import load_tree
from bridgework.curriculum.services import SHIPPED_CONTENT, export_tree, import_tree


class Command(BaseCommand):
    help = "Check, import or export a curriculum content tree (see content/README.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        check = actions.add_parser("check", help="Validate a content tree.")
        check.add_argument("directory", nargs="?", default=str(SHIPPED_CONTENT))
        check.add_argument(
            "--strict",
            action="store_true",
            help="Also fail on translations that are missing or made from an older English text.",
        )
        load = actions.add_parser("import", help="Load a content tree into an organisation.")
        load.add_argument("directory", nargs="?", default=str(SHIPPED_CONTENT))
        load.add_argument("--org", help="The organisation's slug (needed if there are several).")
        export = actions.add_parser("export", help="Write an organisation's curriculum out.")
        export.add_argument("directory")
        export.add_argument("--org", help="The organisation's slug (needed if there are several).")

    def handle(self, *args: Any, action: str, directory: str, **options: Any) -> None:
        path = Path(directory)
        if action == "export":
            if path.exists() and any(path.iterdir()):
                raise CommandError(f"{path} is not empty; export into a new or empty folder.")
            tree = export_tree(organisation=self._organisation(options.get("org")), target=path)
            self.stdout.write(f"Exported to {path}: {tree.summary()}")
            return
        tree, errors = load_tree(path)
        for error in errors:
            self.stderr.write(str(error))
        if errors:
            raise CommandError(f"{len(errors)} problem(s) found in {path}; nothing was changed.")
        for note in tree.translation_notes:
            self.stdout.write(note)
        if action == "check":
            self.stdout.write(tree.summary())
            if options.get("strict") and tree.translation_notes:
                raise CommandError(
                    f"{len(tree.translation_notes)} translation(s) to write or update."
                )
            return
        organisation = self._organisation(options.get("org"))
        report = import_tree(organisation=organisation, tree=tree)
        self.stdout.write(f"Imported into {organisation.name}: {tree.summary()} ({report})")

    def _organisation(self, slug: str | None) -> Organisation:
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation with the slug {slug!r}.")
            return organisation
        organisations = list(Organisation.objects.all()[:50])
        if len(organisations) == 1:
            return organisations[0]
        if not organisations:
            raise CommandError("There is no organisation yet; create one with createorg.")
        slugs = ", ".join(o.slug for o in organisations)
        raise CommandError(f"Say which organisation with --org (one of: {slugs}).")
