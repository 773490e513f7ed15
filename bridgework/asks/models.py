"""Brokered asks: a community group tells allies what would help, without anyone's name.

Two tables, deliberately apart:

- `Ask` is the original, written by a member of the group in the group's protected space.
  Its author is known inside that space, like any post there. It never leaves the space.
- `PublishedAsk` is what allies read in an allies' space: a facilitator's anonymised
  rewording, published only once the ask's author has read that exact wording and approved
  it. It has no author field and no link back to the original; only the original points at
  it (`Ask.published`, with no reverse accessor), so nothing reachable from the allies'
  space leads to the group or the person who asked.

A facilitator's proposed wording waits on the original (`Ask.proposed_*`, encrypted with
the author's key like the original) until the author approves or declines it. Changing the
wording of a published ask goes the same way; the author can also withdraw it.

Allies respond with a commitment in their own practice loop (`AskResponse`); the group
sees only how many, with small numbers shown as "fewer than 5".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.encryption import EncryptedTextField
from bridgework.accounts.models import Person
from bridgework.community.api import Space, visible_spaces
from bridgework.practice.api import CheckIn, Commitment

# Counts below this are shown as "fewer than 5", so no single ally can be singled out.
MIN_SHOWN = 5
# Check-ins are spoken of only from this many committed allies on: below it no number of
# check-ins leaves at least MIN_SHOWN on each side (who did, who did not).
CHECK_INS_FROM = 2 * MIN_SHOWN


class PublishedAskQuerySet(models.QuerySet["PublishedAsk"]):
    def live(self) -> PublishedAskQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def visible_to(self, person: Person) -> PublishedAskQuerySet:
        return self.filter(space__in=visible_spaces(person))


class PublishedAsk(models.Model):
    """The anonymised ask in an allies' space. There is no author here, on purpose."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    body = models.TextField(max_length=4000)
    published_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    objects = PublishedAskQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("ask_published", args=[self.pk])

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None


class AskQuerySet(models.QuerySet["Ask"]):
    def visible_to(self, person: Person) -> AskQuerySet:
        """Asks in protected spaces the person can see right now (see community.visibility)."""
        return self.filter(space__in=visible_spaces(person))

    def with_response_counts(self) -> AskQuerySet:
        """Two numbers per ask, in the same query whatever the number of asks."""
        responses = AskResponse.objects.filter(published_ask_id=OuterRef("published_id"))
        checked_in = responses.filter(
            Exists(CheckIn.objects.filter(commitment_id=OuterRef("commitment_id")))
            | Q(checked_in_kept=True)
        )
        return self.annotate(
            committed_count=Coalesce(_count(responses), 0),
            checked_in_count=Coalesce(_count(checked_in), 0),
        )


def _count(rows: models.QuerySet[AskResponse]) -> Subquery:
    return Subquery(
        rows.order_by().values("published_ask_id").annotate(n=Count("pk")).values("n")[:1],
        output_field=models.IntegerField(),
    )


class Ask(models.Model):
    """What a community group would like from allies, in the group's own protected space."""

    class Proposal(models.TextChoices):
        NONE = "none", gettext_lazy("No wording proposed")
        WAITING = "waiting", gettext_lazy("Waiting for the author's approval")
        DECLINED = "declined", gettext_lazy("The author declined the proposed wording")

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Encrypted with the author's data key: never plaintext in the database or its logs,
    # and unreadable once the author's account is erased.
    title = EncryptedTextField(owner="author", null=True)
    body = EncryptedTextField(owner="author", null=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The one link between the two sides, held here on the protected side only.
    published = models.OneToOneField(
        PublishedAsk, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A facilitator's wording for allies, until the author approves (it is then copied to
    # `published`) or declines it. The version goes up with every new wording, so an approval
    # given to one wording never publishes another.
    proposal = models.CharField(max_length=10, choices=Proposal.choices, default=Proposal.NONE)
    proposed_title = EncryptedTextField(owner="author", null=True, blank=True)
    proposed_body = EncryptedTextField(owner="author", null=True, blank=True)
    proposed_space = models.ForeignKey(
        Space, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposed_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    proposal_version = models.PositiveIntegerField(default=0)
    # Set when the author took the published version back; only they can undo that.
    author_withdrew_at = models.DateTimeField(null=True, blank=True)

    objects = AskQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["space", "-created_at"])]

    def __str__(self) -> str:
        return f"Ask {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("ask", args=[self.pk])

    @property
    def aggregate(self) -> Aggregate:
        """How allies responded, as the group may see it (see `Aggregate`)."""
        return Aggregate.of(self)

    @property
    def is_waiting(self) -> bool:
        return self.proposal == self.Proposal.WAITING

    def is_author(self, person: Person) -> bool:
        return self.author_id is not None and self.author_id == person.pk

    @property
    def is_live_with_allies(self) -> bool:
        return self.published is not None and self.published.is_live


class AskResponse(models.Model):
    """An ally's "I'll do this": a commitment in their own practice loop, and perhaps a short
    note that others in the allies' space can read.

    Erasing the ally keeps the row, without them, their note or their commitment, and with
    `checked_in_kept` saying whether they had checked in: were it deleted, or its check-in
    count to drop, the group comparing the counts before and after an ally leaves would learn
    which asks they took on and followed through (see personal_data.py)."""

    published_ask = models.ForeignKey(
        PublishedAsk, on_delete=models.CASCADE, related_name="responses"
    )
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="+")
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=280, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    checked_in_kept = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["published_ask", "person"], name="one_response_per_ally"
            )
        ]

    def __str__(self) -> str:
        return f"Response {self.pk}"


@dataclass(frozen=True)
class Aggregate:
    """How allies responded, as the group may see it: counts, never names."""

    committed: int
    checked_in: int

    @property
    def summary(self) -> str:
        """One sentence that never tells whether any one ally checked in, even to someone
        who knows every ally who committed (the allies' space names those who left a note)
        and reads the sentence again each time it changes.

        Small numbers are never given, not even as none, on either side: how many checked
        in is said exactly only when at least MIN_SHOWN did and at least MIN_SHOWN did not.
        Otherwise the sentence names a band of at least MIN_SHOWN possible counts ("fewer
        than 5", "more than 7" of 12), never one that means all or none. Below
        CHECK_INS_FROM committed allies every count would leave fewer than MIN_SHOWN on one
        side, so check-ins are not spoken of at all: with five allies, "fewer than 5" turning
        into anything else would say that all five had checked in, and when the last did.
        Each case is a whole sentence for translators."""
        if self.committed < MIN_SHOWN:
            return gettext("Fewer than %(min)s allies have taken this on so far.") % {
                "min": MIN_SHOWN
            }
        many = {
            "min": MIN_SHOWN,
            "enough": CHECK_INS_FROM,
            "count": self.committed,
            "checked": self.checked_in,
            "most": self.committed - MIN_SHOWN,
        }
        if self.committed < CHECK_INS_FROM:
            return (
                gettext(
                    "%(count)s allies committed. How many checked in is shown once "
                    "%(enough)s have committed, so that nobody's check-in can be worked out."
                )
                % many
            )
        if self.checked_in < MIN_SHOWN:
            return (
                gettext("%(count)s allies committed; fewer than %(min)s checked in at least once.")
                % many
            )
        if self.committed - self.checked_in < MIN_SHOWN:
            # The few who have not are not counted either: "12 of 12" would say that each
            # ally named beside their note has checked in.
            return (
                gettext("%(count)s allies committed; more than %(most)s checked in at least once.")
                % many
            )
        return gettext("%(count)s allies committed; %(checked)s checked in at least once.") % many

    @classmethod
    def of(cls, ask: Ask) -> Aggregate:
        committed = getattr(ask, "committed_count", None)
        checked_in = getattr(ask, "checked_in_count", None)
        if committed is None or checked_in is None:
            # The two counts are annotations, which the type checker cannot see from here.
            counts = cast(
                "dict[str, int]",
                Ask.objects.with_response_counts().filter(pk=ask.pk).values().get(),
            )
            committed, checked_in = counts["committed_count"], counts["checked_in_count"]
        return cls(committed=int(committed), checked_in=int(checked_in))
