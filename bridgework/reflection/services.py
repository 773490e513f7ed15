"""Writes of the reflection app. Keyword-only, validated, atomic where they span rows."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any, NotRequired, TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import Person
from bridgework.curriculum.api import ReflectionPrompt
from bridgework.jobs import outbox
from bridgework.practice import api as practice_services

from . import tasks
from .content import CONTEXTS, DIMENSIONS, EXPORTS_PER_DAY, NOTES_PER_DAY
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

# --- Journal ---------------------------------------------------------------------------


def parse_tags(raw: str) -> list[str]:
    """“Team, #gratitude ,  team” → ["team", "gratitude"]: lower case, no repeats."""
    seen: list[str] = []
    for part in raw.replace(";", ",").split(","):
        tag = part.strip().lstrip("#").strip().lower()[:40]
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:12]


class EntryText(TypedDict):
    """What a person writes in a journal entry, as the entry form hands it over."""

    title: NotRequired[str]
    body: str
    tags: NotRequired[list[str]]
    mood: NotRequired[str]
    energy: NotRequired[str]


def write_entry(
    *,
    person: Person,
    gratitude_prompt: str = "",
    lesson_prompt: ReflectionPrompt | None = None,
    **text: Unpack[EntryText],
) -> JournalEntry:
    entry = JournalEntry(
        person=person, gratitude_prompt=gratitude_prompt, lesson_prompt=lesson_prompt
    )
    _set_text(entry, text)
    entry.save()
    return entry


def _set_text(entry: JournalEntry, text: EntryText) -> None:
    if not text["body"].strip():
        raise ValidationError({"body": _("Write a few words, even one line.")})
    entry.title = text.get("title", "").strip() or None
    entry.body = text["body"]
    entry.tags = text.get("tags") or []
    entry.mood = text.get("mood") or None
    entry.energy = text.get("energy") or None


@transaction.atomic
def edit_entry(*, entry: JournalEntry, **text: Unpack[EntryText]) -> JournalEntry:
    """Keep the version before the edit as an encrypted revision, then save the new one."""
    before = entry.snapshot()
    saved_at = entry.updated_at
    _set_text(entry, text)
    if entry.snapshot() == before:
        return entry
    JournalRevision.objects.create(
        entry=entry, person_id=entry.person_id, content=before, saved_at=saved_at
    )
    entry.updated_at = timezone.now()
    entry.save()
    return entry


def delete_entry(*, entry: JournalEntry) -> None:
    """Real deletion: the entry and every revision of it are gone from the table."""
    entry.delete()


# --- Social location map -----------------------------------------------------------------


def clean_map(data: dict[str, Any]) -> dict[str, Any]:
    """Keep only known dimensions and contexts, values 1 to 5; drop what is empty."""
    contexts = {key for key, _ in CONTEXTS}
    known = {dimension.slug for dimension in DIMENSIONS}

    def values(raw: Any) -> dict[str, int]:
        if not isinstance(raw, dict):
            return {}
        return {
            key: int(value)
            for key, value in raw.items()
            if key in contexts and isinstance(value, int) and 1 <= value <= 5
        }

    dimensions = {
        slug: values(raw)
        for slug, raw in (data.get("dimensions") or {}).items()
        if slug in known and values(raw)
    }
    custom = [
        {"name": str(item.get("name", "")).strip()[:60], "values": values(item.get("values"))}
        for item in (data.get("custom") or [])
        if isinstance(item, dict) and str(item.get("name", "")).strip()
    ]
    return {
        "dimensions": dimensions,
        "custom": custom,
        "note": str(data.get("note") or "").strip()[:5000],
    }


def save_map(*, person: Person, data: dict[str, Any]) -> SocialLocationMap:
    location, _ = SocialLocationMap.objects.get_or_create(person=person)
    location.data = clean_map(data)
    location.updated_at = timezone.now()
    location.save()
    return location


# --- Role models and growth goals ----------------------------------------------------------


class RoleModelText(TypedDict):
    """What a person writes about an ally, as the role-model form hands it over."""

    name: str
    colleague: NotRequired[str]  # a colleague's id, or "" for someone else
    why: NotRequired[str]
    big_actions: NotRequired[str]
    small_actions: NotRequired[str]
    my_actions: NotRequired[str]


def save_role_model(
    *, person: Person, role_model: RoleModel | None = None, **text: Unpack[RoleModelText]
) -> RoleModel:
    if not text["name"].strip():
        raise ValidationError({"name": _("Give them a name, or a nickname only you know.")})
    item = role_model or RoleModel(person=person)
    for key in RoleModelText.__annotations__:
        value = str(text.get(key) or "").strip()
        setattr(item, key, value or (None if key != "name" else value))
    item.save()
    return item


def add_goal(*, person: Person, role_model: RoleModel | None, text: str) -> GrowthGoal:
    if not text.strip():
        raise ValidationError({"text": _("Write the goal in a few words.")})
    return GrowthGoal.objects.create(person=person, role_model=role_model, text=text.strip())


@transaction.atomic
def goal_to_commitment(
    *, goal: GrowthGoal, practice: str = "deep-curiosity", courage: int = 1
) -> GrowthGoal:
    """The goal becomes a weekly practice commitment (once)."""
    if goal.commitment_id is not None:
        return goal
    goal.commitment = practice_services.commit(
        person=goal.person,
        title=goal.text,
        practice=practice,
        courage=courage,
        cadence="weekly",
    )
    goal.save(update_fields=["commitment"])
    return goal


# --- Repair --------------------------------------------------------------------------------


def save_apology(
    *,
    person: Person,
    apology: Apology | None = None,
    scenario: str = "",
    parts: dict[str, str] | None = None,
    **named: str,
) -> Apology:
    parts = {**(parts or {}), **named}
    item = apology or Apology(person=person, scenario=scenario)
    for key in ("what_happened", "acknowledge", "own_impact", "do_differently", "resume"):
        setattr(item, key, (parts.get(key) or "").strip() or None)
    item.updated_at = timezone.now()
    item.save()
    return item


# --- Notes to colleagues -------------------------------------------------------------------


class RateLimited(Exception):
    """The sender has sent the day's notes already."""


def notes_sent_today(sender: Person) -> int:
    return Note.objects.filter(
        sender=sender, sent_at__gt=timezone.now() - timedelta(days=1)
    ).count()


@transaction.atomic
def send_note(*, sender: Person, recipient: Person, kind: str, text: str) -> Note:
    if recipient.pk == sender.pk or recipient.organisation_id != sender.organisation_id:
        raise ValidationError({"recipient": _("Choose a colleague in your organisation.")})
    if not recipient.is_active:
        raise ValidationError({"recipient": _("Choose a colleague who is still here.")})
    if not text.strip():
        raise ValidationError({"text": _("Write a line or two.")})
    # Lock the sender's row so two tabs cannot both send the tenth note.
    Person.objects.select_for_update().filter(pk=sender.pk).first()
    if notes_sent_today(sender) >= NOTES_PER_DAY:
        raise RateLimited
    choice = SenderChoice.objects.filter(recipient=recipient, sender=sender).first()
    note = Note.objects.create(
        sender=sender,
        recipient=recipient,
        kind=Note.Kind(kind),
        text_for_recipient=text.strip(),
        text_for_sender=text.strip(),
        withheld=choice is not None and choice.choice == SenderChoice.Choice.BLOCKED,
    )
    if choice is None:
        transaction.on_commit(lambda: tasks.notify_note.enqueue(note.pk))
    return note


def send_note_email(note: Note) -> bool:
    """Tell the recipient a note is waiting, once. The note's words never go into the e-mail."""
    link = settings.BASE_URL + reverse("reflection_notes")
    # In the recipient's language: the worker that sends it has none of its own.
    with translation.override(note.recipient.preferred_language):
        subject = _("Someone sent you a note on Bridgework")
        body = render_to_string(
            "reflection/email/note.txt",
            {"recipient": note.recipient, "sender": note.sender, "note": note, "link": link},
        )
    email = outbox.queue(key=f"note:{note.pk}", to=note.recipient.email, subject=subject, body=body)
    outbox.send(email)
    return email is not None


def mark_notes_read(*, recipient: Person) -> int:
    """The person has seen their Notes page: nothing there is new any more."""
    return (
        Note.objects.inbox_of(recipient).filter(read_at__isnull=True).update(read_at=timezone.now())
    )


def choose_for_sender(*, recipient: Person, sender: Person, choice: str) -> SenderChoice:
    row, _ = SenderChoice.objects.update_or_create(
        recipient=recipient, sender=sender, defaults={"choice": SenderChoice.Choice(choice)}
    )
    return row


# --- My data -------------------------------------------------------------------------------


class ExportNotNow(Exception):
    """An export cannot be started now; the message says why, kindly."""


@transaction.atomic
def request_export(*, person: Person) -> DataExport:
    """Start preparing a person's data: one export at a time, EXPORTS_PER_DAY a day, since
    each one reads and encrypts everything they ever wrote."""
    # Lock the person's row so that two tabs cannot both start one.
    Person.objects.select_for_update().filter(pk=person.pk).first()
    DataExport.objects.filter(person=person, expires_at__lte=timezone.now()).delete()
    live = DataExport.objects.filter(person=person)  # each lives a day: these are today's
    if live.filter(status=DataExport.Status.PENDING).exists():
        raise ExportNotNow(
            _("Your data is still being prepared. It will appear below in a minute or two.")
        )
    if live.count() >= EXPORTS_PER_DAY:
        raise ExportNotNow(
            ngettext(
                "You have prepared your data %(count)s time in the last day, which is as often "
                "as we can offer. Your latest download still works, and you can prepare a "
                "fresh one once the oldest has expired.",
                "You have prepared your data %(count)s times in the last day, which is as "
                "often as we can offer. Your latest download still works, and you can prepare "
                "a fresh one once the oldest has expired.",
                EXPORTS_PER_DAY,
            )
            % {"count": EXPORTS_PER_DAY}
        )
    export = DataExport.objects.create(person=person)
    transaction.on_commit(lambda: tasks.build_export.enqueue(export.pk))
    return export


def build_export(export: DataExport) -> DataExport:
    """Fill a pending export. Run again after a crash, it does the work once more, whole."""
    from . import export as exporter

    # Labels in the file (kinds, statuses, prompts, headings) are in the person's language.
    with translation.override(export.person.preferred_language):
        data = exporter.everything_of(export.person)
        export.json_text = json.dumps(data, indent=2, ensure_ascii=False, default=str)
        export.html_text = render_to_string(
            "reflection/export.html", {"data": data, "templates": exporter.templates()}
        )
    export.status = DataExport.Status.READY
    export.save()
    return export
