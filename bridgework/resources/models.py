"""Resources members suggest (books, articles, videos, ...) and the facilitator's vetting.

A suggestion is seen by the person who made it and by the organisation's facilitators; only
once a facilitator has checked it against the rubric below and approved it does everyone in
the organisation see it, marked as vetted. Each review is kept, criterion by criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.api import Module

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager
    from django_stubs_ext import StrOrPromise

# Links may only be ordinary web addresses: no javascript:, data:, file: or ftp: links.
web_url = URLValidator(schemes=["http", "https"], message=_("Give a web address starting https://"))

# Enough for anyone with something to share; too few to flood the facilitators' queue.
SUGGESTIONS_PER_DAY = 5
PENDING_AT_ONCE = 10
SUGGESTION_WINDOW = timedelta(days=1)


class Kind(models.TextChoices):
    BOOK = "book", _("Book")
    ARTICLE = "article", _("Article")
    VIDEO = "video", _("Video")
    PODCAST = "podcast", _("Podcast")
    COURSE = "course", _("Course")
    TOOL = "tool", _("Tool")


@dataclass(frozen=True)
class Criterion:
    key: str
    name: StrOrPromise
    question: StrOrPromise


# The rubric facilitators review against, in the project's own words. A resource is vetted
# only when it meets all of them.
RUBRIC: tuple[Criterion, ...] = (
    Criterion(
        "credible",
        _("Credible source"),
        _(
            "Can we tell who made it, and do they know the subject, through study or lived "
            "experience?"
        ),
    ),
    Criterion(
        "evidence_based",
        _("Grounded in evidence"),
        _(
            "Do its claims rest on research, data or clearly described experience, rather than "
            "on hunches presented as fact?"
        ),
    ),
    Criterion(
        "respectful",
        _("Respectful"),
        _(
            "Does it treat the people it talks about with dignity, without stereotypes or asking "
            "them to do the explaining?"
        ),
    ),
    Criterion(
        "no_bias_score",
        _("No bias score"),
        _("Does it avoid claiming that a quiz or test can measure how biased a person is?"),
    ),
    Criterion(
        "accessible",
        _("Accessible"),
        _(
            "Can everyone use it: captions or a transcript for audio and video, descriptions "
            "for images, readable text?"
        ),
    ),
)
CRITERIA_KEYS = tuple(c.key for c in RUBRIC)


class ResourceQuerySet(models.QuerySet["Resource"]):
    def in_organisation(self, organisation: Organisation) -> ResourceQuerySet:
        return self.filter(organisation=organisation)

    def vetted_in(self, organisation: Organisation) -> ResourceQuerySet:
        return self.filter(organisation=organisation, status=Resource.Status.VETTED)

    def pending_in(self, organisation: Organisation) -> ResourceQuerySet:
        return self.filter(organisation=organisation, status=Resource.Status.PENDING)

    def visible_to(self, person: Person) -> ResourceQuerySet:
        """Vetted resources of the person's organisation, their own suggestions and, for a
        facilitator, every suggestion in the organisation."""
        if person.organisation_id is None:
            return self.none()
        mine = self.filter(organisation_id=person.organisation_id)
        if person.is_facilitator:
            return mine
        return mine.filter(Q(status=Resource.Status.VETTED) | Q(suggested_by=person))

    def suggested_recently_by(self, person: Person) -> ResourceQuerySet:
        return self.filter(suggested_by=person, created_at__gte=timezone.now() - SUGGESTION_WINDOW)


class Resource(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for review")
        VETTED = "vetted", _("Vetted")
        DECLINED = "declined", _("Not added")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="resources"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField("link", max_length=500, validators=[web_url])
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="resources"
    )
    why_it_helped = models.TextField(max_length=1000)
    # The suggester's account may be erased later; the vetted resource stays.
    suggested_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="resources"
    )
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The latest decision, repeated from its review so lists need no join.
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.CharField(max_length=500, blank=True)

    objects = ResourceQuerySet.as_manager()

    if TYPE_CHECKING:
        reviews: RelatedManager[ResourceReview]

    class Meta:
        ordering = ["-reviewed_at", "-created_at"]
        indexes = [models.Index(fields=["organisation", "status", "kind"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_vetted(self) -> bool:
        return self.status == self.Status.VETTED

    @property
    def domain(self) -> str:
        host = urlsplit(self.url).hostname or ""
        return host.removeprefix("www.")

    def is_suggested_by(self, person: Person) -> bool:
        return self.suggested_by_id is not None and self.suggested_by_id == person.pk

    def can_review(self, person: Person) -> bool:
        """A facilitator of the organisation, other than the person who suggested it:
        someone else always vets a suggestion."""
        return (
            person.is_facilitator
            and person.organisation_id == self.organisation_id
            and not self.is_suggested_by(person)
        )

    def can_withdraw(self, person: Person) -> bool:
        return self.status == self.Status.PENDING and self.suggested_by_id == person.pk


class ResourceReview(models.Model):
    """One facilitator's check of a resource against the rubric, and their decision."""

    class Decision(models.TextChoices):
        APPROVE = "approve", _("Approve: it meets every criterion")
        DECLINE = "decline", _("Decline, with a reason")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reason = models.CharField(max_length=500, blank=True)
    credible = models.BooleanField(default=False)
    evidence_based = models.BooleanField(default=False)
    respectful = models.BooleanField(default=False)
    no_bias_score = models.BooleanField(default=False)
    accessible = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Review {self.pk} of resource {self.resource_id}"

    def checks(self) -> list[tuple[Criterion, bool]]:
        return [(c, bool(getattr(self, c.key))) for c in RUBRIC]

    @property
    def meets_all(self) -> bool:
        return all(getattr(self, key) for key in CRITERIA_KEYS)
