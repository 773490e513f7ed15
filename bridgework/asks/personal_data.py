"""The asks app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection
from bridgework.practice.api import CheckIn

from .models import Ask, AskResponse


def _asks(person: Person) -> dict[str, Any]:
    # A facilitator's proposed or published wording is theirs: only the author's own words.
    written = Ask.objects.filter(author=person).order_by("created_at", "pk")
    responses = AskResponse.objects.filter(person=person).order_by("created_at", "pk")
    return {
        "asks": {
            "written": [
                {
                    "title": ask.title,
                    "body": ask.body,
                    "written_at": when(ask.created_at),
                    "shared_with_allies": ask.published_id is not None,
                }
                for ask in written
            ],
            "responses": [{"note": r.note, "responded_at": when(r.created_at)} for r in responses],
        }
    }


EXPORT = ExportSection(
    app="asks", template="asks/my_data_export.html", covers=(Ask, AskResponse), build=_asks
)


def _keep_the_counts(person: Person) -> None:
    """Their responses stay, counted as they were (see AskResponse), without their note; the
    commitment goes with the rest of their practice."""
    theirs = AskResponse.objects.filter(person=person)
    followed_through = Exists(CheckIn.objects.filter(commitment_id=OuterRef("commitment_id")))
    theirs.filter(followed_through).update(checked_in_kept=True)
    theirs.update(note="")


# An ask's words are encrypted with its author's key, destroyed first: the ask keeps its
# place, unreadable and without a name (on_delete=SET_NULL), as do asks a facilitator shared
# or proposed wording for.
ERASURE = Erasure(app="asks", covers=(Ask, AskResponse), step=_keep_the_counts)
