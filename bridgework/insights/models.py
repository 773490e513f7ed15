"""Insights: anonymous measurement of whether the program works.

Three kinds of table live here:

- inputs insights owns: `GrowthScore` (practice-level self-ratings under a pseudonymous
  subject key, written by the practice service) and the psychological-safety pulse
  (`SafetyPulse`, `SafetyResponse` who answered, `SafetyAnswer` what was answered — two tables
  with nothing joining them, copied from the cohort pulse);
- releases: the privacy budget and, per closed calendar month, the noisy figures the
  dashboard reads (`Release`, `ReleasedCohort`, `ReleasedFigure`; see releases.py and
  docs/privacy.md);
- `AuditEntry`: who looked at which view, when and in which format — never a value.
"""

from __future__ import annotations

import uuid
from datetime import date

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts.api import Cohort


class Period(models.TextChoices):
    """The fixed periods: the latest released (closed) calendar months. A longer period is
    the sum of its released months, so no period is released on its own."""

    MONTH = "month", gettext_lazy("The last closed month")
    QUARTER = "3m", gettext_lazy("The last 3 closed months")
    YEAR = "12m", gettext_lazy("The last 12 closed months")
    ALL = "all", gettext_lazy("Every released month")


# How many released months each period adds up (None: all of them).
PERIOD_MONTHS: dict[str, int | None] = {
    Period.MONTH: 1,
    Period.QUARTER: 3,
    Period.YEAR: 12,
    Period.ALL: None,
}


# --- inputs ----------------------------------------------------------------------------------


class GrowthScore(models.Model):
    """One person's practice-level self-rating (0-4) for one practice: the first (baseline)
    and the latest, under a pseudonymous subject key.

    There is no foreign key to Person: the subject key is an HMAC of the person's id with a
    key kept in the data directory, so this table alone cannot be joined back to anyone.
    Item answers are never copied here, only the practice mean. A row with `cohort` empty
    belongs to the organisation view; the same person also has one row per cohort they were
    a member of when they took an assessment (the baseline there is their first assessment
    as a member).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(max_length=64)
    practice = models.CharField(max_length=40)
    baseline = models.FloatField()
    latest = models.FloatField()
    baseline_on = models.DateField()
    latest_on = models.DateField()
    assessments = models.PositiveIntegerField(default=1)
    # When the row last changed: refresh folds rows changed since it last looked.
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "subject", "practice"],
                condition=Q(cohort__isnull=True),
                name="one_growth_score_per_subject_in_organisation",
            ),
            models.UniqueConstraint(
                fields=["cohort", "subject", "practice"],
                condition=Q(cohort__isnull=False),
                name="one_growth_score_per_subject_in_cohort",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "cohort", "latest_on"]),
            models.Index(fields=["organisation", "changed_at"]),
        ]

    def __str__(self) -> str:
        return f"Growth score {self.pk}"


class SafetyPulse(models.Model):
    """A short psychological-safety pulse for a cohort or the whole organisation, open
    between two dates (both included)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opens_on", "-pk"]

    def __str__(self) -> str:
        return f"Safety pulse {self.pk}"

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


class SafetyResponse(models.Model):
    """Only that someone has answered a pulse — never what they answered. Erasing the
    person keeps the row without them (see PulseResponse)."""

    pulse = models.ForeignKey(SafetyPulse, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pulse", "person"], name="one_safety_response")
        ]

    def __str__(self) -> str:
        return f"Safety response {self.pk}"


def _agreement() -> list[MinValueValidator | MaxValueValidator]:
    return [MinValueValidator(1), MaxValueValidator(5)]


class SafetyAnswer(models.Model):
    """What was answered: no person, no time, a random id, all items in one row."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pulse = models.ForeignKey(SafetyPulse, on_delete=models.CASCADE, related_name="+")
    speak_up = models.PositiveSmallIntegerField(validators=_agreement())
    mistakes = models.PositiveSmallIntegerField(validators=_agreement())
    ask_for_help = models.PositiveSmallIntegerField(validators=_agreement())
    different_views = models.PositiveSmallIntegerField(validators=_agreement())
    take_risks = models.PositiveSmallIntegerField(validators=_agreement())

    def __str__(self) -> str:
        return "Safety answer"


# --- releases --------------------------------------------------------------------------------
#
# What the dashboard reads: noisy figures computed once per closed calendar month
# (releases.py and docs/privacy.md say exactly how), never changed afterwards.


class PrivacyBudget(models.Model):
    """The program admin's choice of how much each month's release may spend (zCDP rho),
    within the floor and ceiling that settings enforce. Without a row the default applies."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    monthly_rho = models.FloatField()
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Privacy budget of organisation {self.pk}"


class Release(models.Model):
    """The figures of one organisation for one closed calendar month: computed once, with
    what they spent of that month's budget. There is at most one per month, so a month's
    budget cannot be spent twice."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    budget_rho = models.FloatField()
    spent_rho = models.FloatField()
    # The people threshold and how many cohorts one person may count in, as used.
    threshold = models.PositiveSmallIntegerField()
    cohort_limit = models.PositiveSmallIntegerField()
    # True only when a test switched the noise off (settings refuse it anywhere else).
    noiseless = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "month"], name="one_release_per_month")
        ]

    def __str__(self) -> str:
        return f"Release {self.month:%B %Y}"


class ReleasedCohort(models.Model):
    """Whether a cohort is part of a release, and if not, why (said on its page)."""

    class Reason(models.TextChoices):
        RELEASED = "", gettext_lazy("Released")
        SMALL = "small", gettext_lazy("Fewer members than the threshold at the start of the month")
        CLOSE = "close", gettext_lazy("Too close to another group you can see")

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="cohorts")
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=8, choices=Reason.choices, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["release", "cohort"], name="one_row_per_cohort")
        ]

    def __str__(self) -> str:
        return f"Cohort {self.cohort_id} in release {self.release_id}"


class ReleasedFigure(models.Model):
    """One noisy number of a release: a measure (counts.MEASURES) for one key of its
    breakdown, for the organisation (cohort empty) or one cohort. `scale` is the standard
    deviation of the noise that was added."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="figures")
    cohort = models.ForeignKey(
        Cohort, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    measure = models.CharField(max_length=40)
    key = models.CharField(max_length=40)
    value = models.FloatField()
    scale = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["release", "cohort"])]

    def __str__(self) -> str:
        return f"{self.measure}/{self.key}"


class AuditEntry(models.Model):
    """Someone looked at (or exported) one view of the dashboard. No values, ever."""

    class Format(models.TextChoices):
        PAGE = "page", gettext_lazy("Page")
        CSV = "csv", gettext_lazy("CSV export")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    view = models.CharField(max_length=160)
    period = models.CharField(max_length=8, choices=Period.choices)
    format = models.CharField(max_length=4, choices=Format.choices)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["organisation", "-at"])]

    def __str__(self) -> str:
        return f"Audit entry {self.pk}"
