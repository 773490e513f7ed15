"""Private reflection: journal, social location map, role-model allies, repair, notes.

Everything a person writes here is encrypted with their own data key and shown to them
alone. A note between colleagues is stored twice, once under each person's key, so either
can erase their copy without touching the other's.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.accounts.encryption import EncryptedJSONField, EncryptedTextField
from bridgework.accounts.models import Person
from bridgework.curriculum.api import ReflectionPrompt
from bridgework.lib.prepared import prepared
from bridgework.practice.api import Commitment

from .content import EXPORT_HOURS


class JournalEntryQuerySet(models.QuerySet["JournalEntry"]):
    def of(self, person: Person) -> JournalEntryQuerySet:
        return self.filter(person=person)

    def for_list(self) -> JournalEntryQuerySet:
        return self.select_related("lesson_prompt").annotate(
            revision_count=models.Count("revisions")
        )


class JournalEntry(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="journal_entries")
    # A gratitude prompt's slug, or a lesson's prompt: which question the entry answers.
    gratitude_prompt = models.CharField(max_length=40, blank=True)
    lesson_prompt = models.ForeignKey(
        ReflectionPrompt, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    title = EncryptedTextField(owner="person", blank=True, null=True)
    body = EncryptedTextField(owner="person")
    tags = EncryptedJSONField(owner="person", blank=True, null=True)
    mood = EncryptedTextField(owner="person", blank=True, null=True)
    energy = EncryptedTextField(owner="person", blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = JournalEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "journal entries"

    def __str__(self) -> str:
        return f"Journal entry {self.pk}"

    def snapshot(self) -> dict[str, Any]:
        return {
            "title": self.title or "",
            "body": self.body or "",
            "tags": list(self.tags or []),
            "mood": self.mood or "",
            "energy": self.energy or "",
        }

    def matches(self, query: str) -> bool:
        """Search in the owner's request, over the decrypted words: never a shared index."""
        needle = query.strip().lower().lstrip("#")
        if not needle:
            return True
        haystack = " ".join([self.title or "", self.body or "", *(self.tags or [])]).lower()
        return all(word in haystack for word in needle.split())


class JournalRevision(models.Model):
    """An earlier version of an entry, kept when it is edited; deleted with the entry."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="revisions")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    content = EncryptedJSONField(owner="person")
    saved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-saved_at", "-pk"]

    def __str__(self) -> str:
        return f"Revision {self.pk}"


class SocialLocationMap(models.Model):
    """Where a person places themselves, dimension by dimension. Never aggregated."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="social_map")
    # {"dimensions": {slug: {context: 1..5}}, "custom": [{"name": str, "values": {...}}],
    #  "note": str}
    data = EncryptedJSONField(owner="person", blank=True, null=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Social location map {self.pk}"


class RoleModel(models.Model):
    """An ally the person looks up to, and what they do (after "Leading with Purpose")."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_models")
    name = EncryptedTextField(owner="person")
    # A colleague's id, when the person picked one: encrypted too, so not even the database
    # shows who admires whom.
    colleague = EncryptedTextField(owner="person", blank=True, null=True)
    why = EncryptedTextField(owner="person", blank=True, null=True)
    big_actions = EncryptedTextField(owner="person", blank=True, null=True)
    small_actions = EncryptedTextField(owner="person", blank=True, null=True)
    my_actions = EncryptedTextField(owner="person", blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Role model {self.pk}"


class GrowthGoal(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="growth_goals")
    role_model = models.ForeignKey(
        RoleModel, on_delete=models.CASCADE, null=True, blank=True, related_name="goals"
    )
    text = EncryptedTextField(owner="person")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Growth goal {self.pk}"


class Apology(models.Model):
    """A guided apology draft: the five steps of a repair (after Jackson & Tran)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="apologies")
    scenario = models.CharField(max_length=40, blank=True)
    what_happened = EncryptedTextField(owner="person", blank=True, null=True)
    acknowledge = EncryptedTextField(owner="person", blank=True, null=True)
    own_impact = EncryptedTextField(owner="person", blank=True, null=True)
    do_differently = EncryptedTextField(owner="person", blank=True, null=True)
    resume = EncryptedTextField(owner="person", blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name_plural = "apologies"

    def __str__(self) -> str:
        return f"Apology {self.pk}"

    def draft(self) -> dict[str, str]:
        return {
            "what_happened": self.what_happened or "",
            "acknowledge": self.acknowledge or "",
            "own_impact": self.own_impact or "",
            "do_differently": self.do_differently or "",
            "resume": self.resume or "",
        }


class NoteQuerySet(models.QuerySet["Note"]):
    def inbox_of(self, person: Person) -> NoteQuerySet:
        """Notes a person may read: not withheld; muted senders' notes are still included."""
        return self.filter(recipient=person, withheld=False)

    def new_for(self, person: Person) -> NoteQuerySet:
        """Notes the person has not seen on their Notes page, leaving out muted and blocked
        senders (a note from someone who has since left is still new)."""
        chosen = SenderChoice.objects.filter(recipient=person).values("sender")
        return (
            self.inbox_of(person)
            .filter(read_at__isnull=True)
            .exclude(sender__in=models.Subquery(chosen))
            .select_related("sender")
        )

    def newest_new_for(self, person: Person, limit: int) -> tuple[list[Note], int]:
        """The newest `limit` of `new_for`, saying who sent them and when but not what, and
        how many are new in all, in one query."""
        notes = _newest_new(person_id=person.pk)[:limit]
        new_in_all: int = getattr(notes[0], "new_in_all", 0) if notes else 0
        return notes, new_in_all


class Note(models.Model):
    """A check-in or recognition note. Never public, never counted, never in a total."""

    class Kind(models.TextChoices):
        CHECK_IN = "check_in", gettext_lazy("Check-in note")
        RECOGNITION = "recognition", gettext_lazy("Recognition note")

    # If the sender erases their account, the recipient keeps the note, without the name.
    sender = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="notes_sent"
    )
    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="notes_received")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    text_for_recipient = EncryptedTextField(owner="recipient")
    text_for_sender = EncryptedTextField(owner="sender", blank=True, null=True)
    # A note from a blocked sender is kept for the sender's list but never shown or sent on.
    withheld = models.BooleanField(default=False)
    sent_at = models.DateTimeField(default=timezone.now)
    # When the recipient first saw it on their Notes page; until then Home lists it as new.
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["sender", "sent_at"])]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class SenderChoice(models.Model):
    """A recipient's choice about one sender: mute (no e-mails, folded away) or block."""

    class Choice(models.TextChoices):
        MUTED = "muted", pgettext_lazy("sender choice", "Muted")
        BLOCKED = "blocked", pgettext_lazy("sender choice", "Blocked")

    recipient = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    sender = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField(max_length=10, choices=Choice.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recipient", "sender"], name="one_choice_per_sender")
        ]

    def __str__(self) -> str:
        return f"Sender choice {self.pk}"


def _export_expiry() -> Any:
    return timezone.now() + timedelta(hours=EXPORT_HOURS)


class DataExport(models.Model):
    """A "download my data" file, encrypted like the data it holds, offered for a day."""

    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Being prepared")
        READY = "ready", pgettext_lazy("export status", "Ready")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="data_exports")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    json_text = EncryptedTextField(owner="person", blank=True, null=True)
    html_text = EncryptedTextField(owner="person", blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_export_expiry)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Data export {self.pk}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


@prepared
def _newest_new(*, person_id: int) -> models.QuerySet[Note]:
    return (
        Note.objects.new_for(Person(pk=person_id))
        .defer("text_for_recipient", "text_for_sender")
        .annotate(new_in_all=models.Window(models.Count("pk")))
    )
