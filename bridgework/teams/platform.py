"""The Teams side of the chat app's platform interface (filled in once chat lands)."""

from __future__ import annotations

from bridgework.accounts.models import Person


def forget_person(person: Person) -> None:
    return None
