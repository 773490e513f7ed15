"""The Teams app's part of erasing a person. No Teams model points at a person: a
conversation reference names a Teams user by Teams' ids, and the person's link to that user
(in the chat app) says whose it is. Erasing them deletes the reference too, so nothing is
left that could reach them."""

from __future__ import annotations

from bridgework.accounts.models import Person
from bridgework.accounts.registry import Erasure


def _forget_conversations(person: Person) -> None:
    from . import platform

    platform.forget_person(person)


ERASURE = Erasure(app="teams", covers=(), step=_forget_conversations)
