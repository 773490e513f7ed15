"""The asks app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

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
# An ask's words are encrypted with its author's key, destroyed first: the ask keeps its
# place, unreadable and without a name (on_delete=SET_NULL), as do asks a facilitator shared
# or proposed wording for. Their responses to asks go with them.
ERASURE = Erasure(app="asks", covers=(Ask, AskResponse))
