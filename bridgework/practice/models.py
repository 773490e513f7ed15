"""A person's practice: self-assessments, action plans, commitments and check-ins.

Everything a person writes here is encrypted with their own key. Practice and courage level
of a commitment stay plain: they are tags of a shared tip, and later feed anonymous totals.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone

from bridgework.accounts.encryption import EncryptedJSONField, EncryptedTextField
from bridgework.accounts.models import Person
from bridgework.curriculum.models import Tip
from bridgework.curriculum.vocabulary import Courage, Practice
from bridgework.lib.habits import Cadence, Outcome


class Capacity(models.TextChoices):
    FULL = "full", "Plenty in the tank"
    SOME = "some", "Some in the tank"
    LOW = "low", "Running low"


class PracticeProfile(models.Model):
    """Per-person settings of the practice loop; private like everything else here."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="practice")
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.SOME)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    reminder_hour = models.PositiveSmallIntegerField(default=9)
    reminders_on = models.BooleanField(default=True)
    last_suggested_tip = models.ForeignKey(
        Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Practice profile {self.pk}"


class Assessment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assessments")
    taken_at = models.DateTimeField(default=timezone.now)
    answers = EncryptedJSONField(owner="person")
    defense = EncryptedTextField(owner="person")

    class Meta:
        ordering = ["taken_at"]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"


class ActionPlan(models.Model):
    """Why a defense serves me, what it costs, the small step, when, with whom (after Thomas)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="action_plans")
    defense = EncryptedTextField(owner="person")
    serves_me = EncryptedTextField(owner="person", blank=True, null=True)
    costs = EncryptedTextField(owner="person", blank=True, null=True)
    small_step = EncryptedTextField(owner="person")
    when = EncryptedTextField(owner="person", blank=True, null=True)
    with_whom = EncryptedTextField(owner="person", blank=True, null=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Action plan {self.pk}"


class CommitmentQuerySet(models.QuerySet["Commitment"]):
    def current(self) -> CommitmentQuerySet:
        return self.filter(status__in=[Commitment.Status.ACTIVE, Commitment.Status.PAUSED])


class Commitment(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        PAUSED = "paused", "Paused"
        FINISHED = "finished", "Finished"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="commitments")
    tip = models.ForeignKey(Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = EncryptedTextField(owner="person")
    practice = models.CharField(max_length=40, choices=Practice.choices)
    courage = models.PositiveSmallIntegerField(choices=Courage.choices)
    cadence = models.CharField(
        max_length=10,
        choices=[
            (Cadence.ONCE, "Once"),
            (Cadence.DAILY, "Every day"),
            (Cadence.WEEKLY, "Every week"),
            (Cadence.WEEKDAYS, "On chosen days"),
            (Cadence.CUE, "After a cue"),
        ],
        default=Cadence.WEEKLY,
    )
    weekdays = models.CharField(max_length=20, blank=True, help_text="e.g. 0,2,4 (Mon, Wed, Fri)")
    cue = EncryptedTextField(owner="person", blank=True, null=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(default=timezone.localdate)
    paused_on = models.DateField(null=True, blank=True)
    paused_periods = models.JSONField(default=list, blank=True)  # ISO dates skipped by pauses
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "cadence"])]

    def __str__(self) -> str:
        return f"Commitment {self.pk}"

    @property
    def cadence_enum(self) -> Cadence:
        return Cadence(self.cadence)

    @property
    def weekday_set(self) -> frozenset[int]:
        return frozenset(int(d) for d in self.weekdays.split(",") if d.strip().isdigit())

    @property
    def paused_dates(self) -> set[date]:
        return {date.fromisoformat(d) for d in self.paused_periods}

    @property
    def counted_by_day(self) -> bool:
        """Daily and chosen-day commitments are checked in per day, the others per week."""
        return self.cadence in (Cadence.DAILY, Cadence.WEEKDAYS, Cadence.ONCE)


class CheckIn(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="check_ins")
    period_start = models.DateField()
    outcome = models.CharField(
        max_length=10,
        choices=[(Outcome.DONE, "Done"), (Outcome.PARTLY, "Partly"), (Outcome.NOT_YET, "Not yet")],
    )
    note = EncryptedTextField(owner="person", blank=True, null=True)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="one_check_in_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Check-in {self.pk}"


class Reminder(models.Model):
    """One row per commitment and period: the unique constraint makes a reminder go out at
    most once, however many workers run and wherever one is killed."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="reminders")
    period_start = models.DateField()
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["commitment", "period_start"], name="one_reminder_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"Reminder {self.pk}"
