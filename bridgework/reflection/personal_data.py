"""The reflection app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .content import GRATITUDE_BY_SLUG, SCENARIOS_BY_SLUG
from .models import (
    Apology,
    DataExport,
    GrowthGoal,
    JournalEntry,
    JournalRevision,
    Note,
    RoleModel,
    SenderChoice,
    SocialLocationMap,
)


def _journal(person: Person) -> list[dict[str, Any]]:
    entries = list(
        JournalEntry.objects.filter(person=person)
        .select_related("lesson_prompt")
        .prefetch_related("revisions")
    )
    result = []
    for entry in entries:
        prompt = GRATITUDE_BY_SLUG.get(entry.gratitude_prompt)
        result.append(
            {
                "written_at": when(entry.created_at),
                "updated_at": when(entry.updated_at),
                "prompt": prompt.text
                if prompt
                else (entry.lesson_prompt.text if entry.lesson_prompt else None),
                **entry.snapshot(),
                "earlier_versions": [
                    {"saved_at": when(revision.saved_at), **(revision.content or {})}
                    for revision in entry.revisions.all()
                ],
            }
        )
    return result


def _role_models(person: Person) -> list[dict[str, Any]]:
    goals = list(GrowthGoal.objects.filter(person=person))
    result = []
    for item in RoleModel.objects.filter(person=person):
        result.append(
            {
                "name": item.name,
                "why": item.why,
                "big_actions": item.big_actions,
                "small_actions": item.small_actions,
                "my_actions": item.my_actions,
                "created_at": when(item.created_at),
                "growth_goals": [g.text for g in goals if g.role_model_id == item.pk],
            }
        )
    loose = [g.text for g in goals if g.role_model_id is None]
    if loose:
        result.append({"name": None, "growth_goals": loose})
    return result


def _notes(person: Person) -> dict[str, list[dict[str, Any]]]:
    sent = Note.objects.filter(sender=person).select_related("recipient")
    received = Note.objects.filter(recipient=person, withheld=False).select_related("sender")
    return {
        "sent": [
            {
                "to": note.recipient.chosen_name,
                "kind": note.get_kind_display(),
                "text": note.text_for_sender,
                "sent_at": when(note.sent_at),
            }
            for note in sent
        ],
        "received": [
            {
                "from": note.sender.chosen_name if note.sender else _("Someone who has left"),
                "kind": note.get_kind_display(),
                "text": note.text_for_recipient,
                "sent_at": when(note.sent_at),
            }
            for note in received
        ],
    }


def _reflection(person: Person) -> dict[str, Any]:
    location = SocialLocationMap.objects.filter(person=person).first()
    return {
        "journal": _journal(person),
        "social_location_map": location.data if location else None,
        "role_models": _role_models(person),
        "apologies": [
            {
                "scenario": SCENARIOS_BY_SLUG[a.scenario].title
                if a.scenario in SCENARIOS_BY_SLUG
                else None,
                **a.draft(),
                "updated_at": when(a.updated_at),
            }
            for a in Apology.objects.filter(person=person)
        ],
        "notes": _notes(person),
    }


_WRITTEN = (JournalEntry, JournalRevision, SocialLocationMap, RoleModel, GrowthGoal, Apology, Note)
EXPORT = ExportSection(
    app="reflection", template="reflection/my_data_export.html", covers=_WRITTEN, build=_reflection
)
# Everything goes with the person, but a note they sent: its recipient keeps it, from "someone
# who has left" (on_delete=SET_NULL). Whom they muted or blocked, and their prepared
# downloads, are not part of the download itself.
ERASURE = Erasure(app="reflection", covers=(*_WRITTEN, SenderChoice, DataExport))
