"""Insights: anonymous measurement of whether the program works.

Three kinds of table live here (rollups.py says exactly what each row means):

- inputs insights owns: `GrowthScore` (practice-level self-ratings under a pseudonymous
  subject key, written by the practice service) and the psychological-safety pulse
  (`SafetyPulse`, `SafetyResponse` who answered, `SafetyAnswer` what was answered — two tables
  with nothing joining them, copied from the cohort pulse);
- rollups, rebuilt from the other apps' participation tables: `PersonActivity`,
  `LastActiveMonth`, `DayTotal`, `MonthTotal`, and the finished, suppressed `Cell` rows that
  the dashboard reads;
- `AuditEntry`: who looked at which view, when and in which format — never a value.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.cohorts.models import Cohort, Session


class Period(models.TextChoices):
    """The fixed time periods. Each ends today and starts on the first day of a month, so
    every shorter period lies inside every longer one."""

    MONTH = "month", "This month"
    QUARTER = "3m", "The last 3 months"
    YEAR = "12m", "The last 12 months"
    ALL = "all", "Since the start"


# Retention counts months since joining, whatever the period: its cells are stored once,
# under this period, and every period's dashboard shows them.
RETENTION_PERIOD = Period.ALL.value

# How many months before this one each period reaches back (None: no limit).
PERIOD_MONTHS: dict[str, int | None] = {
    Period.MONTH: 0,
    Period.QUARTER: 2,
    Period.YEAR: 11,
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
    # What the row adds to GrowthMonth at present (written only by the rollups): the month
    # of `latest_on`, latest - baseline and the baseline, or NULL while it is not counted
    # (fewer than two assessments). Folding a change takes the old contribution away and
    # adds the new one, so no refresh has to add up every row again.
    counted_month = models.DateField(null=True, blank=True)
    counted_change = models.FloatField(null=True, blank=True)
    counted_baseline = models.FloatField(null=True, blank=True)

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

    def is_open(self, today: object) -> bool:
        return self.opens_on <= today <= self.closes_on  # type: ignore[operator]


class SafetyResponse(models.Model):
    """Only that someone has answered a pulse — never what they answered."""

    pulse = models.ForeignKey(SafetyPulse, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

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


# --- rollups -------------------------------------------------------------------------------


# --- rollups ---------------------------------------------------------------------------------
#
# Rollup rows are derived: the nightly rebuild writes them all again (1.6 million day totals
# at 100,000 people). Their foreign keys are not checked by the database: PostgreSQL checks
# the deferred foreign keys of every inserted row at COMMIT, 40 s of a 111 s rebuild at that
# size (bench/FINDINGS.md, F12). Deleting an organisation, cohort, session or person still
# deletes its rollup rows (Django cascades on_delete itself), and a rebuild starts from the
# sources again anyway.


def rollup_key(to: type[models.Model], *, index: bool = True, null: bool = False) -> Any:
    """A rollup table's foreign key: cascades, never checked by the database. `index=False`
    where an index of the table already starts with it."""
    return models.ForeignKey(
        to,
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=index,
        null=null,
        blank=null,
    )


class Trace(models.TextChoices):
    # What people do (the rollups' events); the first two are not counted on their own.
    COMMITMENT = "commitment", "Made a commitment"
    CHECK_IN = "check_in", "Checked in"
    LESSON = "lesson", "Completed a lesson"
    ATTENDANCE = "attendance", "Attended a session"
    # Derived, what LastActiveMonth counts (with lesson and attendance; a PersonActivity date
    # column each): a commitment or check-in in one practice (courage 0), at one courage
    # level (practice ""), or at all (both empty); anything.
    FOLLOW = "follow", "Made a commitment or checked in"
    ANY = "any", "Did anything"


class PersonActivity(models.Model):
    """One row per person: which months since joining they were active in (retention), and
    when they last did each counted thing (the day or month LastActiveMonth counts them in).

    Bit k of `months` is set when they did anything in the k-th calendar month after the
    month they joined (0 = that month). `any_on` is the last day they did anything (the last
    30 days are counted from it); every other column keeps only the first day of the month
    in which they last did that thing, as only the month is counted, so a fold rewrites it
    once a month: a lesson, a session attended, a commitment or check-in at all, in one
    practice, or at one courage level. One row per person, not per thing, because on the
    first day of a month a fold moves everything each active person did: one write each.

    Nothing indexes the dates, so that PostgreSQL can rewrite them in place (a HOT update: no
    index entries to add; the table leaves room on each page, see migration 0006)."""

    organisation = rollup_key(Organisation, index=False)
    person = models.OneToOneField(
        Person, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    joined_month = models.PositiveIntegerField()  # year * 12 + month - 1
    months = models.BigIntegerField(default=0)
    any_on = models.DateField(null=True)
    lesson_on = models.DateField(null=True)
    attendance_on = models.DateField(null=True)
    follow_on = models.DateField(null=True)
    # One per practice (curriculum.vocabulary.Practice) and courage level (Courage).
    follow_deep_curiosity_on = models.DateField(null=True)
    follow_honest_introspection_on = models.DateField(null=True)
    follow_humble_acknowledgement_on = models.DateField(null=True)
    follow_empathetic_engagement_on = models.DateField(null=True)
    follow_authentic_conversations_on = models.DateField(null=True)
    follow_vulnerable_interactions_on = models.DateField(null=True)
    follow_courageous_responsibilities_on = models.DateField(null=True)
    follow_courage_1_on = models.DateField(null=True)
    follow_courage_2_on = models.DateField(null=True)
    follow_courage_3_on = models.DateField(null=True)
    follow_courage_4_on = models.DateField(null=True)

    class Meta:
        verbose_name_plural = "person activity"
        indexes = [models.Index(fields=["organisation", "joined_month"])]

    def __str__(self) -> str:
        return f"Person activity {self.pk}"


class LastActiveMonth(models.Model):
    """How many people in one scope (the organisation, or one cohort's members) last did one
    counted thing (a date column of PersonActivity: kind follow, with a practice, a courage
    level or neither; lesson, attendance or any) in one calendar month. Every period starts
    on the first of a month and ends today, so the people who did it in a period are the sum
    over the months from its start: refresh never counts people one by one. For kind `any`,
    `month` holds the day itself: the people active in the last 30 days are the sum over
    those days."""

    organisation = rollup_key(Organisation, index=False)
    cohort = rollup_key(Cohort, null=True)
    kind = models.CharField(max_length=12, choices=Trace.choices)
    practice = models.CharField(max_length=40, blank=True, default="")
    courage = models.PositiveSmallIntegerField(default=0)
    month = models.DateField()  # the first day of the month
    people = models.PositiveIntegerField(default=0)

    class Meta:
        # The whole key, month first: a period reads the months from its start, a fold
        # finds each row it moves.
        indexes = [
            models.Index(fields=["organisation", "month", "kind", "practice", "courage", "cohort"])
        ]

    def __str__(self) -> str:
        return f"Last active month {self.pk}"


class Totals(models.Model):
    """Additive counts for one organisation or cohort, practice and courage level."""

    organisation = rollup_key(Organisation, index=False)
    cohort = rollup_key(Cohort, null=True)
    practice = models.CharField(max_length=40, blank=True, default="")
    courage = models.PositiveSmallIntegerField(default=0)
    commitments = models.PositiveIntegerField(default=0)
    check_ins = models.PositiveIntegerField(default=0)
    kept = models.PositiveIntegerField(default=0)
    partly = models.PositiveIntegerField(default=0)
    lessons = models.PositiveIntegerField(default=0)
    attended = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class DayTotal(Totals):
    """What happened on one day (several rows per day and scope are summed)."""

    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["organisation", "day"])]

    def __str__(self) -> str:
        return f"Day total {self.pk}"


class MonthTotal(Totals):
    """The day totals of one month, summed (one row per scope, practice and courage)."""

    month = models.DateField()  # the first day of the month

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"Month total {self.pk}"


class EarlierTotal(Totals):
    """Month totals summed over a period's months before the current month, per breakdown
    bucket: practice "" and courage 0 for everything, a practice with courage 0, or practice
    "" with a courage level. A refresh adds the current month's totals to these instead of
    adding up every month again (120,000 month rows at 100,000 people). Kept for the month in
    RollupState.earlier_month and rolled forward when the month moves on; a fold that changes
    an earlier month clears that, and the next refresh adds them up again."""

    period = models.CharField(max_length=8, choices=Period.choices)

    class Meta:
        indexes = [models.Index(fields=["organisation", "period"])]

    def __str__(self) -> str:
        return f"Earlier total {self.pk}"


class Cell(models.Model):
    """One finished number of the dashboard for one view (organisation or cohort, and
    period), with the count of people behind it and whether it must be hidden.

    `people` is what suppression looks at; the meaning of value..value4 depends on the
    section (see rollups.SECTIONS).
    """

    organisation = rollup_key(Organisation, index=False)
    cohort = rollup_key(Cohort, null=True)
    period = models.CharField(max_length=8, choices=Period.choices)
    section = models.CharField(max_length=20)
    key = models.CharField(max_length=60)
    people = models.PositiveIntegerField(default=0)
    value = models.FloatField(default=0)
    value2 = models.FloatField(default=0)
    value3 = models.FloatField(default=0)
    value4 = models.FloatField(default=0)
    hidden = models.CharField(max_length=12, blank=True, default="")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "cohort", "period"])]

    def __str__(self) -> str:
        return f"Cell {self.pk}"


class RetentionCount(models.Model):
    """How many people of one scope (the organisation, or one cohort's members) joined in one
    month (`kind` joined, `number` the month number, year * 12 + month - 1), or were active
    in the k-th month after joining (`kind` active, `number` k, below 12): retention's
    numerators and, summed over the months joined by then, its denominators. Moved by each
    fold as it adds people and marks their active months; the cohort rows follow memberships
    as they were at the fold (the nightly rebuild catches up)."""

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined in month"
        ACTIVE = "active", "Active in month since joining"

    organisation = rollup_key(Organisation, index=False)
    cohort = rollup_key(Cohort, null=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    number = models.PositiveIntegerField()
    people = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "kind", "number"])]

    def __str__(self) -> str:
        return f"Retention count {self.pk}"


class SessionFeedback(models.Model):
    """The answers to one session's pulse, added up once the pulse has closed (answers can no
    longer change): how many, the sums of "useful" and "safe", and how many rated the session
    useful (4-5). Sessions with fewer answers than the threshold are kept but not shown."""

    organisation = rollup_key(Organisation, index=False)
    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    cohort = rollup_key(Cohort)
    starts_at = models.DateTimeField()
    answers = models.PositiveIntegerField(default=0)
    useful = models.PositiveIntegerField(default=0)
    safe = models.PositiveIntegerField(default=0)
    good = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "starts_at"])]

    def __str__(self) -> str:
        return f"Session feedback {self.pk}"


class GrowthMonth(models.Model):
    """Sums over the GrowthScore rows (with two assessments or more) of one scope and practice
    whose latest rating fell in one calendar month: every period starts on the first of a
    month, so a period's growth is the sum over its months."""

    organisation = rollup_key(Organisation, index=False)
    cohort = rollup_key(Cohort, null=True)
    practice = models.CharField(max_length=40)
    month = models.DateField()
    people = models.PositiveIntegerField(default=0)
    change = models.FloatField(default=0.0)  # sum of latest - baseline
    squares = models.FloatField(default=0.0)  # sum of (latest - baseline) squared
    baselines = models.FloatField(default=0.0)

    class Meta:
        indexes = [models.Index(fields=["organisation", "month"])]

    def __str__(self) -> str:
        return f"Growth month {self.pk}"


class SafetyTotal(models.Model):
    """The answers to one safety pulse, added up once it has closed (a closed pulse takes no
    more answers): how many, and for each statement the sum of the ratings and how many
    agreed (4-5). A refresh reads these instead of every answer ever given."""

    organisation = rollup_key(Organisation)
    pulse = models.OneToOneField(
        SafetyPulse, on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    answers = models.PositiveIntegerField(default=0)
    speak_up = models.PositiveIntegerField(default=0)
    speak_up_agree = models.PositiveIntegerField(default=0)
    mistakes = models.PositiveIntegerField(default=0)
    mistakes_agree = models.PositiveIntegerField(default=0)
    ask_for_help = models.PositiveIntegerField(default=0)
    ask_for_help_agree = models.PositiveIntegerField(default=0)
    different_views = models.PositiveIntegerField(default=0)
    different_views_agree = models.PositiveIntegerField(default=0)
    take_risks = models.PositiveIntegerField(default=0)
    take_risks_agree = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"Safety total {self.pk}"


class RollupState(models.Model):
    """When an organisation's cells were last worked out, and what refresh may skip.

    `refreshed_at`: the last refresh (activity is recomputed on every one). Growth, session
    feedback and the safety pulse are recomputed only when the growth fold moved GrowthMonth,
    a pulse closed on or after `responses_on` (the day they were last worked out for), the
    month moved on from that day's (the periods' first days move with it), or `responses_at`
    is NULL (after an erasure); retention only when a fold gave someone a new active
    month or a new person a row (`retention_changed`), or the month moved on from
    `retention_month`.

    `growth_at`: GrowthScore rows changed before then are in GrowthMonth; NULL when
    GrowthMonth must be added up again from every row (new, or after an erasure).

    `earlier_month`: EarlierTotal holds the month totals before this month; NULL when they
    must be added up again (new, after a rebuild, or a fold changed an earlier month)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    retention_changed = models.BooleanField(default=True)
    retention_month = models.DateField(null=True, blank=True)
    responses_at = models.DateTimeField(null=True, blank=True)
    responses_on = models.DateField(null=True, blank=True)
    growth_at = models.DateTimeField(null=True, blank=True)
    earlier_month = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Rollup state of organisation {self.pk}"


class AuditEntry(models.Model):
    """Someone looked at (or exported) one view of the dashboard. No values, ever."""

    class Format(models.TextChoices):
        PAGE = "page", "Page"
        CSV = "csv", "CSV export"

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
