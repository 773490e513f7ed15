"""Polls: who voted is kept apart from what was chosen (see models.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import Person
from bridgework.lib import small_counts
from bridgework.lib.small_counts import Band

from .. import notices
from ..models import POLL_DAYS_BY_DEFAULT, Poll, PollAnswer, PollOption, PollResponse, Space
from ..visibility import can_view
from .threads import _check_can_post

POLL_MIN_ANONYMOUS = 5
POLL_DAYS = (1, 3, 7, 14)  # how long a poll may stay open


@transaction.atomic
def create_poll(
    *,
    space: Space,
    created_by: Person,
    question: str,
    options: Sequence[str],
    kind: str = Poll.Kind.SINGLE,
    is_anonymous: bool = True,
    open_days: int = POLL_DAYS_BY_DEFAULT,
) -> Poll:
    _check_can_post(space, created_by)
    if open_days not in POLL_DAYS:
        raise ValidationError({"open_days": _("Choose how long the poll stays open.")})
    labels = [o.strip() for o in options if o.strip()]
    if len(labels) < 2:
        raise ValidationError({"options": _("Give at least two options, one a line.")})
    if len(labels) > 12:
        raise ValidationError({"options": _("Twelve options at most keep a poll easy to answer.")})
    if len({label.lower() for label in labels}) != len(labels):
        raise ValidationError({"options": _("Each option once, please.")})
    poll = Poll(
        space=space,
        question=question.strip(),
        kind=kind,
        is_anonymous=is_anonymous,
        created_by=created_by,
        closes_at=timezone.now() + timedelta(days=open_days),
    )
    poll.full_clean()
    poll.save()
    PollOption.objects.bulk_create(
        [PollOption(poll=poll, label=label, position=n) for n, label in enumerate(labels)]
    )
    return poll


@transaction.atomic
def vote(*, poll: Poll, person: Person, options: Sequence[PollOption]) -> None:
    if not can_view(person, poll):
        raise PermissionDenied(_("Not a poll you can see."))
    if not poll.is_open:
        raise ValidationError({"options": _("This poll has closed.")})
    chosen = list({o.pk: o for o in options}.values())
    if not chosen:
        raise ValidationError({"options": _("Choose an option.")})
    if any(o.poll_id != poll.pk for o in chosen):
        raise ValidationError({"options": _("Choose from this poll's options.")})
    if poll.kind == Poll.Kind.SINGLE and len(chosen) > 1:
        raise ValidationError({"options": _("Choose one option.")})
    try:
        with transaction.atomic():
            PollResponse.objects.create(poll=poll, person=person)
    except IntegrityError:
        raise ValidationError({"options": _("You have already voted in this poll.")}) from None
    who = None if poll.is_anonymous else person
    # Answers are shuffled by their random ids; an anonymous answer has no person and no time.
    PollAnswer.objects.bulk_create([PollAnswer(poll=poll, option=o, person=who) for o in chosen])


def can_close_poll(person: Person, poll: Poll) -> bool:
    """Whoever asked, and the space's facilitators."""
    return poll.created_by_id == person.pk or poll.space.can_moderate(person)


@transaction.atomic
def close_poll(*, poll: Poll, person: Person) -> None:
    if not can_close_poll(person, poll):
        raise PermissionDenied(_("Only whoever asked and the space's facilitators close a poll."))
    if poll.is_open:
        poll.closes_at = timezone.now()
        poll.save(update_fields=["closes_at"])
        _announce(poll, closed_by=person)


def announce_closed_polls() -> int:
    """Tell whoever asked and voted in each poll that has closed since the last run, once.
    Returns how many polls were announced."""
    due = Poll.objects.filter(closes_at__lte=timezone.now(), announced_at__isnull=True)
    announced = 0
    for poll in due.order_by("closes_at", "pk")[:500]:
        with transaction.atomic():
            announced += _announce(poll)
    return announced


def _announce(poll: Poll, closed_by: Person | None = None) -> int:
    # Claimed by one conditional update, so two workers never tell people twice.
    if not Poll.objects.filter(pk=poll.pk, announced_at__isnull=True).update(
        announced_at=timezone.now()
    ):
        return 0
    voters = list(
        PollResponse.objects.filter(poll=poll, person__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    told = {*voters, *([poll.created_by_id] if poll.created_by_id else [])}
    notices.tell(
        people=told - {closed_by.pk if closed_by else None},
        kind=notices.POLL_CLOSED,
        summary=lambda: _("A poll you took part in has closed: see what came of it."),
        url=poll.get_absolute_url(),
        space_id=poll.space_id,
    )
    return 1


@dataclass(frozen=True)
class PollResult:
    label: str
    votes: int | None  # None when only a band may be said (an anonymous poll's, see below)
    share: int | None  # whole percent of voters, when the count is said
    voters: tuple[str, ...]  # names, only in a poll that is not anonymous
    band: str = ""  # what is said instead of a count ("fewer than 5")


@dataclass(frozen=True)
class PollResults:
    voters: int
    shown: bool
    rows: tuple[PollResult, ...]
    # An anonymous poll's count of votes below five is not said: "0 votes" turning into
    # "1 vote" would tell whoever watched that a colleague voted (and, in a space of a few,
    # who did not).
    few: bool = False
    # An open anonymous poll of five votes or more says only that: a count that moved by one
    # would tell whoever watched that the colleague they saw voting did.
    many: bool = False

    @property
    def banded(self) -> bool:
        return any(row.band for row in self.rows)


def poll_results(poll: Poll) -> PollResults:
    """A named poll's results as they stand. An anonymous poll's only once it has closed,
    and only from five voters: shown while it was open, the tally's change after each vote
    would give away what that voter chose to anyone who saw them vote. Even then each of
    its options is counted as a session pulse's answers are (`anonymous_bands`)."""
    voters = PollResponse.objects.filter(poll=poll).count()
    hidden = poll.is_anonymous and (poll.is_open or voters < POLL_MIN_ANONYMOUS)
    if hidden or voters == 0:
        few = poll.is_anonymous and voters < POLL_MIN_ANONYMOUS
        many = poll.is_anonymous and poll.is_open and not few
        return PollResults(
            voters=0 if few or many else voters, shown=False, rows=(), few=few, many=many
        )
    counts = dict(
        PollAnswer.objects.filter(poll=poll)
        .values("option")
        .annotate(n=Count("pk"))
        .values_list("option", "n")
    )
    options = list(poll.options.all())
    tally = [counts.get(o.pk, 0) for o in options]
    if poll.is_anonymous:
        bands = anonymous_bands(tally, voters, single=poll.kind == Poll.Kind.SINGLE)
        rows = tuple(
            _anonymous_row(o.label, n, side, voters)
            for o, n, side in zip(options, tally, bands, strict=True)
        )
        return PollResults(voters=voters, shown=True, rows=rows)
    names: dict[int, list[str]] = {}
    for option_id, name in PollAnswer.objects.filter(poll=poll).values_list(
        "option_id", "person__chosen_name"
    ):
        # An answer kept after its voter erased their account is nobody's (models.py).
        names.setdefault(option_id, []).append(name or _("A former member"))
    rows = tuple(
        PollResult(
            label=o.label,
            votes=n,
            share=round(100 * n / voters),
            voters=tuple(sorted(names.get(o.pk, []))),
        )
        for o, n in zip(options, tally, strict=True)
    )
    return PollResults(voters=voters, shown=True, rows=rows)


def anonymous_bands(tally: list[int], voters: int, *, single: bool) -> list[Band]:
    """Each option against the rest (in a pick-several poll, the voters who did not pick
    it), by a session pulse's rule (`bridgework.lib.small_counts`): counted exactly only
    when at least POLL_MIN_ANONYMOUS voters chose it and as many did not, otherwise a band
    that never says none or all.

    The options are read together, though: a single-choice poll's counts add up to its
    voters, a pick-several poll's to at least as many. So each choice below depends only on
    the bands, never on the counts behind them, and leaves no band to be narrowed to one
    count by adding up the others:
    - an exact count beside a band would give the band away by subtraction (6 and 5 of 12
      leave 1 for the two options said to hold "fewer than 5": one chosen by one person,
      the other by nobody). So as soon as one option is given as a band, those that could
      be counted exactly are given as "between 5 and N-5" instead;
    - with few voters for many options, saying which reached five would still pin the
      others (two options "between 5 and 5" of 10 leave none for a third; three "fewer
      than 5" of 12 mean four each). So below 5 * options - 2 voters, as below ten, only
      whether each option holds more than half is said;
    - of two options, the second's band is the first's complement, as a pulse's sides
      are: "half or fewer" twice would add up to an exact tie."""
    minimum = POLL_MIN_ANONYMOUS
    halves_below = minimum * len(tally) - 2
    bands = [small_counts.band(n, voters, minimum, halves_below=halves_below) for n in tally]
    if len(bands) == 2 and (single or bands[0] is Band.HALF_OR_FEWER):
        # In a pick-several poll too, the voters who did not pick the first picked the
        # second: the complement says no more than the counts did, and no tie.
        bands[1] = small_counts.complement(bands[0])
    if any(side is not Band.EXACT for side in bands):
        bands = [Band.BETWEEN if side is Band.EXACT else side for side in bands]
    return bands


def _anonymous_row(label: str, count: int, side: Band, voters: int) -> PollResult:
    low, high = small_counts.bounds(side, count, voters, POLL_MIN_ANONYMOUS)
    if low == high:  # "between 5 and 5" of ten says 5, and says it better
        return PollResult(label=label, votes=count, share=round(100 * count / voters), voters=())
    return PollResult(
        label=label, votes=None, share=None, voters=(), band=_band_words(side, voters)
    )


def _band_words(side: Band, voters: int) -> str:
    values = {"min": POLL_MIN_ANONYMOUS, "most": voters - POLL_MIN_ANONYMOUS}
    words = {
        Band.FEWER_THAN_MINIMUM: _("fewer than %(min)s"),
        Band.MORE_THAN_MOST: _("more than %(most)s"),
        Band.BETWEEN: _("between %(min)s and %(most)s"),
        Band.MORE_THAN_HALF: _("more than half"),
        Band.HALF_OR_FEWER: _("half or fewer"),
        Band.FEWER_THAN_HALF: _("fewer than half"),
        Band.AT_LEAST_HALF: _("at least half"),
    }
    return words[side] % values
