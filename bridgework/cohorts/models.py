"""Cohorts, their monthly sessions, run-of-show, attendance, feedback and calendar feeds.

Feedback is anonymous by construction: who has answered (`PulseResponse`) and what was
answered (`PulseAnswer`) are two tables with nothing joining them, and the answer rows have
random ids and no timestamps, so their order cannot be matched with the order people answered.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.accounts.encryption import EncryptedTextField
from bridgework.accounts.models import Organisation, Person, Role
from bridgework.curriculum.api import Module, Translatable
from bridgework.lib import cadence
from bridgework.lib.sentences import same_words

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager
    from django_stubs_ext import WithAnnotations

# Self check-in opens this long before a session starts and closes when it ends.
CHECK_IN_EARLY = timedelta(minutes=15)
# Answers are summarised only from this many; the free-text lines from the second number.
PULSE_MIN_ANSWERS = 5
PULSE_MIN_FOR_TEXT = 10
# The pulse opens this long before a session ends (people answer in the closing minutes, not
# before anything has happened) and stays open this long after it ends.
PULSE_OPENS_BEFORE_END = timedelta(minutes=10)
PULSE_OPEN_DAYS = 14
# The most session pulses of one person that count in one month (the session's
# `pulse_month`: the month its pulse closes in on the organisation's calendar, fixed when
# someone is first marked present, so a later change of the organisation's zone never moves
# it): insights' releases bound each person's anonymous answers by it
# (`insights.counts.FEEDBACK_CAP`), so an answer past it is refused rather than letting one
# person's answers decide whether a month's feedback is released.
FEEDBACK_PER_MONTH = 8


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


# The roles that run cohorts. Being on a cohort's list of facilitators is not enough: a
# facilitator who loses the role stops running it (and stops hearing about its sessions).
LEADING_ROLES = (Role.FACILITATOR, Role.PROGRAM_ADMIN)


def may_lead(person: Person) -> bool:
    """Whether someone holds a role that runs cohorts at all."""
    return person.is_active and any(person.has_role(role) for role in LEADING_ROLES)


class Cadence(models.TextChoices):
    MONTHLY_WEEKDAY = (
        cadence.MonthlyRule.SAME_WEEKDAY.value,
        gettext_lazy("Monthly, on the same weekday"),
    )
    MONTHLY_DAY = cadence.MonthlyRule.SAME_DAY.value, gettext_lazy("Monthly, on the same date")


def led_by(person: Person) -> Q:
    """The one rule for who runs a cohort, as a filter on cohorts: program admins run every
    cohort of their organisation; facilitators, while they hold the role, run the cohorts
    they are listed on. Everyone else runs none. Every cohort and session page asks it
    through `Cohort.objects.managed_by` or `Cohort.can_manage`."""
    if not may_lead(person):
        return Q(pk__in=[])
    mine = Q(organisation_id=person.organisation_id)
    if person.is_program_admin:
        return mine
    # A subquery, not a join: joining the facilitators in would repeat each cohort once per
    # facilitator and need a DISTINCT over every list that uses this rule.
    facilitated = Cohort.facilitators.through.objects.filter(person_id=person.pk)
    return mine & Q(pk__in=facilitated.values("cohort_id"))


class Listed(TypedDict):
    """What the cohorts page shows of each cohort besides its own fields."""

    member_count: int
    next_start: datetime | None
    next_zone: str | None
    first_start: datetime | None
    my_status: str
    managed: bool
    is_mine: bool


def member_count() -> Coalesce:
    """How many members the cohort of the row has, as a subquery on that one cohort."""
    members = Membership.objects.filter(
        cohort=OuterRef("pk"), status=Membership.Status.MEMBER
    ).order_by()
    return Coalesce(Subquery(members.values("cohort").annotate(n=Count("*")).values("n")), 0)


class CohortQuerySet(models.QuerySet["Cohort"]):
    def in_organisation(self, organisation: Organisation) -> CohortQuerySet:
        return self.filter(organisation=organisation)

    def visible_to(self, person: Person) -> CohortQuerySet:
        """The cohorts someone runs (`led_by`), belongs to, or may ask to join."""
        if person.is_program_admin and person.is_active:
            return self.filter(led_by(person))
        member_of = Membership.objects.filter(person_id=person.pk, status=Membership.Status.MEMBER)
        return self.filter(
            led_by(person)
            | (
                Q(organisation_id=person.organisation_id)
                & (Q(open_to_join=True) | Q(pk__in=member_of.values("cohort_id")))
            )
        )

    def time_zones_in_use(self) -> list[str]:
        """The zones these cohorts meet in, the most used first (then by name)."""
        return list(
            self.values("time_zone")
            .annotate(n=models.Count("pk"))
            .order_by("-n", "time_zone")
            .values_list("time_zone", flat=True)
        )

    def managed_by(self, person: Person) -> CohortQuerySet:
        return self.filter(led_by(person))

    def listed_for(
        self, person: Person, now: datetime | None = None
    ) -> models.QuerySet[WithAnnotations[Cohort, Listed]]:
        """The cohorts page: what `visible_to` gives, each with its figures, the person's own
        cohorts first, then the ones they may ask to join."""
        # Every figure is its own subquery on one cohort: joining memberships and sessions
        # together multiplied their rows before counting. `.order_by()` keeps each model's
        # own ordering (members by name) out of the subqueries.
        sessions = Session.objects.filter(cohort=OuterRef("pk")).order_by("starts_at")
        upcoming = sessions.filter(starts_at__gte=now or timezone.now())
        members = Membership.objects.filter(cohort=OuterRef("pk")).order_by()
        mine = Q(
            pk__in=Membership.objects.filter(person=person, status=Membership.Status.MEMBER)
            .order_by()
            .values("cohort_id")
        ) | Q(pk__in=self.model.objects.managed_by(person).order_by().values("pk"))
        annotated = (
            self.visible_to(person)
            .annotate(
                member_count=member_count(),
                next_start=Subquery(upcoming.values("starts_at")[:1]),
                next_zone=Subquery(upcoming.values("time_zone")[:1]),
                first_start=Subquery(sessions.values("starts_at")[:1]),
                my_status=Coalesce(
                    Subquery(members.filter(person=person).values("status")[:1]), Value("")
                ),
                managed=Exists(self.model.objects.managed_by(person).filter(pk=OuterRef("pk"))),
                is_mine=ExpressionWrapper(mine, output_field=models.BooleanField()),
            )
            .order_by("-is_mine", "name", "pk")
        )
        # The plugin types annotations as Any; `Listed` says what each one holds.
        return cast("models.QuerySet[WithAnnotations[Cohort, Listed]]", annotated)


class Cohort(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, max_length=2000)
    start_date = models.DateField()
    cadence = models.CharField(
        max_length=20, choices=Cadence.choices, default=Cadence.MONTHLY_WEEKDAY
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    modules = models.ManyToManyField(Module, related_name="+", blank=True)
    facilitators = models.ManyToManyField(Person, related_name="facilitated_cohorts")
    open_to_join = models.BooleanField(
        default=False, help_text=gettext_lazy("People in your organisation can ask to join.")
    )
    created_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CohortQuerySet.as_manager()

    if TYPE_CHECKING:
        memberships: RelatedManager[Membership]
        sessions: RelatedManager[Session]

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="unique_cohort_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def can_manage(self, person: Person) -> bool:
        return Cohort.objects.managed_by(person).filter(pk=self.pk).exists()


class Membership(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", gettext_lazy("Asked to join")
        MEMBER = "member", pgettext_lazy("cohort membership status", "Member")

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="cohort_memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MEMBER)
    created_at = models.DateTimeField(default=timezone.now)
    # When they became a member (not when they asked to join): only people who were members
    # at a session's time count in its pulse.
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = [Lower("person__chosen_name")]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "person"], name="one_membership_per_cohort")
        ]
        # A cohort's members are counted from this index alone, on every cohorts page.
        indexes = [models.Index(fields=["cohort", "status"], name="membership_cohort_status")]

    def __str__(self) -> str:
        return f"Cohort membership {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A member row always says since when; a waiting request says nothing yet.
        if self.status == self.Status.MEMBER and self.joined_at is None:
            self.joined_at = timezone.now()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "joined_at"}
        super().save(*args, **kwargs)

    def decide(self, *, approve: bool) -> None:
        """A facilitator answers a request to join: approved, it is a membership from now on;
        declined, it is gone. A membership that is not a request stays as it is."""
        if self.status != self.Status.REQUESTED:
            return
        if approve:
            self.status, self.joined_at = self.Status.MEMBER, timezone.now()
            self.save(update_fields=["status", "joined_at"])
        else:
            self.delete()


class SessionQuerySet(models.QuerySet["Session"]):
    def for_person(self, person: Person) -> SessionQuerySet:
        """Sessions of the cohorts someone belongs to, or facilitates while they hold a role
        that runs cohorts (a program admin's calendar keeps to the cohorts they lead)."""
        leads = Q(cohort__facilitators=person) if may_lead(person) else Q(pk__in=[])
        return self.filter(
            leads
            | Q(
                cohort__memberships__person=person,
                cohort__memberships__status=Membership.Status.MEMBER,
            ),
            cohort__organisation=person.organisation_id,
        ).distinct()


class Session(models.Model):
    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField()
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The instant it starts; the zone says which wall-clock time it keeps across DST.
    starts_at = models.DateTimeField()
    time_zone = models.CharField(max_length=64)
    duration_minutes = models.PositiveSmallIntegerField(
        default=90, validators=[MinValueValidator(15), MaxValueValidator(480)]
    )
    location = models.CharField(gettext_lazy("room"), max_length=200, blank=True)
    video_link = models.URLField(max_length=500, blank=True)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # RFC 5545 SEQUENCE: goes up whenever the invite's time, place or title changes.
    sequence = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # Someone has been marked present (by a facilitator, or checking in), ever; never unset,
    # even when the attendance is cleared. From then on the session keeps its date, time and
    # length (see services.update_session).
    was_attended = models.BooleanField(default=False)
    # The month (its first day) the pulse's answers count in, for the bound on each person's
    # answers (FEEDBACK_PER_MONTH) and for insights' releases. Fixed with `was_attended`,
    # before anyone can answer, as the month the pulse closes in on the organisation's
    # calendar then, and never changed: were it worked out again from the organisation's
    # zone, which a program admin can change, answers accepted within one month's bound could
    # be moved together into one month past it. One month for the whole session, so it says
    # nothing of when anyone answered (see `PulseAnswer`).
    pulse_month = models.DateField(null=True, blank=True, editable=False)

    objects = SessionQuerySet.as_manager()

    if TYPE_CHECKING:
        items: RelatedManager[RunItem]

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "number"], name="session_number_per_cohort")
        ]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self) -> str:
        return f"Session {self.number}"

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(cadence.zone(self.time_zone))

    @property
    def local_date(self) -> date:
        return self.local_start.date()

    @property
    def local_time(self) -> time:
        return self.local_start.time()

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def title(self) -> str:
        """The session's name in the active language (the module's title is curriculum
        content, in the language it was imported in)."""
        if self.module_id and self.module:
            return _("Session %(number)s: %(topic)s") % {
                "number": self.number,
                "topic": self.module.title,
            }
        return _("Session %(number)s") % {"number": self.number}

    def check_in_open(self, now: datetime) -> bool:
        return cadence.in_window(
            now, start=self.starts_at, minutes=self.duration_minutes, early=CHECK_IN_EARLY
        )

    @property
    def pulse_opens_at(self) -> datetime:
        """The last ten minutes of the session, or its start if it is shorter than that."""
        return max(self.starts_at, self.ends_at - PULSE_OPENS_BEFORE_END)

    @property
    def pulse_closes_at(self) -> datetime:
        return self.ends_at + timedelta(days=PULSE_OPEN_DAYS)

    def pulse_month_on(self, clock: tzinfo) -> date:
        """The month (its first day) the pulse closes in on a calendar running in `clock`:
        what `pulse_month` is fixed to. Once fixed, only `pulse_month` counts."""
        return self.pulse_closes_at.astimezone(clock).date().replace(day=1)

    def pulse_open(self, now: datetime) -> bool:
        """From the closing minutes of the session until two weeks after it."""
        return self.pulse_opens_at <= now <= self.pulse_closes_at

    def pulse_not_yet_open(self, now: datetime) -> bool:
        return now < self.pulse_opens_at

    def pulse_closed(self, now: datetime) -> bool:
        """Once closed, the answers can no longer change, so totals say nothing about any
        one answer that arrived after others."""
        return now > self.pulse_closes_at


class RunItem(Translatable):
    """One step of a session's run-of-show, with the minutes it is planned to take.

    The default steps start from Bridgework's texts and the module's questions and exercise
    in every language they exist in, so each facilitator and participant reads them in their
    own; once a facilitator rewords a step, their words are what everyone sees."""

    translated_fields = ("title", "body")

    class Kind(models.TextChoices):
        GRATITUDE = "gratitude", gettext_lazy("Opening gratitude round")
        AGREEMENTS = "agreements", gettext_lazy("Agreements")
        QUESTION = "question", gettext_lazy("Discussion question")
        EXERCISE = "exercise", gettext_lazy("Exercise")
        COMMITMENTS = "commitments", gettext_lazy("Closing commitments")
        OTHER = "other", pgettext_lazy("run-of-show part", "Other")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True, max_length=4000)
    minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(240)]
    )
    position = models.PositiveSmallIntegerField()
    # Still the default text (Bridgework's or the module's), whose language `shown_language`
    # knows; a facilitator's own words may be in any language.
    default_text = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title

    def reword(self, *, title: str, body: str) -> bool:
        """Put the facilitator's words in place of the shown text, in every language.
        False when they are the words already shown (only the minutes changed)."""
        if same_words(title, self.title) and same_words(body, self.body):
            return False
        self.title, self.body, self.translations = title, body, {}
        self.default_text = False
        self.__dict__.pop("_source_text", None)
        return True


class FacilitatorNote(models.Model):
    """A facilitator's own notes for a session, encrypted with their key: no one else,
    not even a co-facilitator, can read them."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = EncryptedTextField(owner="author", blank=True, null=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "author"], name="one_note_per_facilitator")
        ]

    def __str__(self) -> str:
        return f"Facilitator note {self.pk}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", gettext_lazy("Present")
        ABSENT = "absent", gettext_lazy("Absent")

    class Source(models.TextChoices):
        FACILITATOR = "facilitator", gettext_lazy("Marked by a facilitator")
        SELF = "self", gettext_lazy("Checked in themselves")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices)
    source = models.CharField(max_length=12, choices=Source.choices)
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_attendance_per_session")
        ]

    def __str__(self) -> str:
        return f"Attendance {self.pk}"


class OncePresent(models.Model):
    """That someone was marked present at a session, kept whatever their attendance,
    membership or role becomes after.

    A reader of a session's pulse results who could have answered is taken off the count
    of answers shown whether they answered or not (`services._readers_who_may_know`). Were
    that judged on today's attendance and membership, unmarking a member, removing them
    and making them a facilitator would take them off only if they had answered: the
    results would vanish or stay, and say which."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="once_present_once")
        ]

    def __str__(self) -> str:
        return f"Once present {self.pk}"


class PulseResponse(models.Model):
    """Only that someone has answered a session's pulse — never what they answered.

    Erasing the person keeps the row without them: were it deleted, every count of answers
    would drop by one where they had answered, and comparing the counts before and after
    someone leaves would list the pulses they answered."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_pulse_per_person")
        ]

    def __str__(self) -> str:
        return f"Pulse response {self.pk}"


class PulseAnswer(models.Model):
    """What was answered, with no person, no time and a random id."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    useful = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    safe = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    line = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return "Pulse answer"


class CalendarFeed(models.Model):
    """A person's private calendar address. Only a hash of its secret is kept; revoking
    deletes the row, so the old address stops working at once."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Calendar feed {self.pk}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class SessionReminder(models.Model):
    """One row per session and person: the unique constraint means a reminder is sent at
    most once, however many workers run."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="one_session_reminder")
        ]

    def __str__(self) -> str:
        return f"Session reminder {self.pk}"
