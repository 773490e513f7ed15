"""Everything a person has written, gathered for their "Download my data" file.

Each app contributes its own part through the accounts registry (see each app's
`personal_data.py`). Read in the person's own background task, decrypted with their own key,
and never shown to anyone else: the file is encrypted again before it is stored.
"""

from __future__ import annotations

from typing import Any

from bridgework.accounts import registry
from bridgework.accounts.models import Person


def everything_of(person: Person) -> dict[str, Any]:
    return registry.my_data(person)


def templates() -> list[str]:
    """The HTML file's parts, in the order the apps are installed."""
    return [section.template for section in registry.export_sections()]
