"""A person's practice: self-assessments, action plans, commitments and check-ins.

Everything a person writes here is encrypted with their own key. Practice and courage level
of a commitment stay plain: they are tags of a shared tip, and later feed anonymous totals.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.accounts.encryption import EncryptedJSONField, EncryptedTextField
from bridgework.accounts.models import Person
from bridgework.curriculum.api import Courage, Practice, Tip
from bridgework.lib.cadence import zone_or_utc
from bridgework.lib.habits import Cadence, Outcome, period_start, periods


def local_today(person: Person) -> date:
    """Today where the person is: in their own time zone, else their organisation's."""
    return timezone.now().astimezone(zone_or_utc(person.usual_time_zone)).date()


class Capacity(models.TextChoices):
    FULL = "full", gettext_lazy("Plenty in the tank")
    SOME = "some", gettext_lazy("Some in the tank")
    LOW = "low", gettext_lazy("Running low")


class PracticeProfile(models.Model):
    """Per-person settings of the practice loop; private like everything else here."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="practice")
    capacity = models.CharField(max_length=10, choices=Capacity.choices, default=Capacity.SOME)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
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
        ACTIVE = "active", pgettext_lazy("commitment status", "Active")
        PAUSED = "paused", pgettext_lazy("commitment status", "Paused")
        FINISHED = "finished", pgettext_lazy("commitment status", "Finished")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="commitments")
    tip = models.ForeignKey(Tip, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    title = EncryptedTextField(owner="person")
    practice = models.CharField(max_length=40, choices=Practice.choices)
    courage = models.PositiveSmallIntegerField(choices=Courage.choices)
    cadence = models.CharField(
        max_length=10,
        choices=[
            (Cadence.ONCE, gettext_lazy("Once")),
            (Cadence.DAILY, gettext_lazy("Every day")),
            (Cadence.WEEKLY, gettext_lazy("Every week")),
            (Cadence.WEEKDAYS, gettext_lazy("On chosen days")),
            (Cadence.CUE, gettext_lazy("After a cue")),
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

    def owner_today(self) -> date:
        """Today in the owner's time zone: periods, pauses and check-ins follow their days."""
        return local_today(self.person)

    def period_on(self, today: date) -> date | None:
        """The start of the period `today` falls in, or None when nothing is due that day."""
        return period_start(
            self.cadence_enum, today, started=self.started_on, weekdays=self.weekday_set
        )

    def pause(self, today: date | None = None) -> None:
        """Stop reminders and counting; nothing is lost. Only an active commitment pauses."""
        if self.status != self.Status.ACTIVE:
            return
        self.status = self.Status.PAUSED
        self.paused_on = today or self.owner_today()
        self.save(update_fields=["status", "paused_on"])

    def resume(self, today: date | None = None) -> None:
        """Pick up where you left off; the periods spent paused never count against you."""
        if self.status != self.Status.PAUSED or self.paused_on is None:
            return
        today = today or self.owner_today()
        # The period you come back in is yours again: a check-in in it counts.
        now = self.period_on(today)
        skipped = [
            start
            for start in periods(
                self.cadence_enum,
                started=max(self.paused_on, self.started_on),
                until=today,
                weekdays=self.weekday_set,
            )
            if start != now
        ]
        checked = set(
            self.check_ins.filter(period_start__in=skipped).values_list("period_start", flat=True)
        )
        paused = self.paused_dates | {d for d in skipped if d not in checked}
        self.paused_periods = sorted(d.isoformat() for d in paused)
        self.status = self.Status.ACTIVE
        self.paused_on = None
        self.save(update_fields=["status", "paused_on", "paused_periods"])

    def finish(self, today: date | None = None) -> None:
        """Stop for good, keeping check-ins and notes. The day it stopped is kept as if it
        were a pause, so taking it up again never counts the weeks in between."""
        if self.status == self.Status.FINISHED:
            return
        if self.status == self.Status.ACTIVE:
            self.paused_on = today or self.owner_today()
        self.status = self.Status.FINISHED
        self.save(update_fields=["status", "paused_on"])

    def take_up_again(self, today: date | None = None) -> None:
        """Undo finishing: active again, the time it spent finished skipped like a pause."""
        if self.status != self.Status.FINISHED:
            return
        today = today or self.owner_today()
        self.status = self.Status.PAUSED
        self.paused_on = self.paused_on or today
        self.resume(today)


class CheckIn(models.Model):
    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="check_ins")
    period_start = models.DateField()
    outcome = models.CharField(
        max_length=10,
        choices=[
            (Outcome.DONE, pgettext_lazy("check-in outcome", "Done")),
            (Outcome.PARTLY, pgettext_lazy("check-in outcome", "Partly")),
            (Outcome.NOT_YET, pgettext_lazy("check-in outcome", "Not yet")),
        ],
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
