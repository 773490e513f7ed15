"""Writes of brokered asks. Keyword-only, validated, atomic.

The text of an ask is sensitive: nothing here logs it, and notifications about asks never
quote it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import Person
from bridgework.chat import api as chat
from bridgework.community import api as community
from bridgework.community.api import Space
from bridgework.notifications.api import mark_read
from bridgework.practice import api as practice

from .identifying import find_identifying
from .models import Ask, AskResponse, PublishedAsk
from .names import organisation_names
from .notices import APPROVAL

# A group can say a lot in five asks a day; more is likely a mistake or a flood.
ASKS_PER_DAY = 5
ALLIES_AUDIENCES = (Space.Audience.ORGANISATION, Space.Audience.COHORT)


def may_write_in(space: Space, person: Person) -> bool:
    """Asks come from the group itself: its members write them in its space. A facilitator
    who looks after the space without being in the group shares asks, but does not write
    them."""
    return space.is_protected and space.is_in_audience(person) and space.can_post(person)


def why_not_write(space: Space, person: Person) -> str:
    """In a sentence, why this person cannot write an ask in this space."""
    if not space.is_in_audience(person):
        said = {"space": space.name, "group": space.group.name if space.group else ""}
        if not space.group:
            return (
                _(
                    "Asks are written by the members of the group. You look after %(space)s as "
                    "a facilitator, so you can share its asks with allies, but the asks "
                    "themselves come from the group."
                )
                % said
            )
        return (
            _(
                "Asks are written by the members of %(group)s. You look after %(space)s as a "
                "facilitator, so you can share its asks with allies, but the asks themselves "
                "come from the group."
            )
            % said
        )
    return _(
        "You cannot post in %(space)s just now: a facilitator has paused your posting "
        "there, or the space is archived. You can still read it."
    ) % {"space": space.name}


def allies_spaces_for(facilitator: Person, ask_space: Space) -> list[Space]:
    """Spaces this facilitator may publish to: allies' spaces they facilitate, in the same
    organisation as the group's space."""
    return list(
        Space.objects.facilitated_by(facilitator).filter(
            organisation_id=ask_space.organisation_id,
            audience__in=ALLIES_AUDIENCES,
            is_archived=False,
        )
    )


def ask_limit_reached(person: Person) -> bool:
    since = timezone.now() - timedelta(days=1)
    return Ask.objects.filter(author=person, created_at__gte=since).count() >= ASKS_PER_DAY


@transaction.atomic
def write_ask(
    *, space: Space, author: Person, title: str, body: str, accept_guidelines: bool = False
) -> Ask:
    if not may_write_in(space, author):
        raise PermissionDenied(_("Asks are written in your own group's space."))
    if not space.has_accepted_guidelines(author):
        if not accept_guidelines:
            raise ValidationError(
                {"accept_guidelines": _("Please read and accept the space's guidelines first.")}
            )
        community.accept_guidelines(space=space, person=author)
    Person.objects.select_for_update().filter(pk=author.pk).first()
    if ask_limit_reached(author):
        raise ValidationError(
            ngettext(
                "You have written %(count)s ask today. Please wait until tomorrow.",
                "You have written %(count)s asks today. Please wait until tomorrow.",
                ASKS_PER_DAY,
            )
            % {"count": ASKS_PER_DAY}
        )
    ask = Ask(space=space, author=author, title=title.strip(), body=body.strip())
    ask.full_clean()
    ask.save()
    return ask


def _require_allies_space(space: Space, facilitator: Person, ask: Ask) -> None:
    if space.pk not in {s.pk for s in allies_spaces_for(facilitator, ask.space)}:
        raise ValidationError({"space": _("Choose an allies' space that you facilitate.")})


def check_wording(*, ask_space: Space, facilitator: Person, title: str, body: str) -> None:
    """Refuse wording that holds a name, e-mail address, group, team or place of the
    organisation, quoting the words so the facilitator can change them. Only the spaces the
    facilitator can see are quoted (see `organisation_names`): quoting another would tell
    them that a protected space of that name exists."""
    names = organisation_names(
        ask_space.organisation_id, facilitator=facilitator, ask_space=ask_space
    )
    problems = {}
    for field, text in (("title", title), ("body", body)):
        flagged = find_identifying(text, names)
        if flagged:
            quoted = ", ".join(f"“{word}”" for word in flagged)
            problems[field] = _(
                "These words could point to someone: %(words)s. They are names, e-mail "
                "addresses, groups, teams or places in your organisation. Reword without them."
            ) % {"words": quoted}
    if problems:
        raise ValidationError(problems)


def _require_author_can_approve(ask: Ask) -> Person:
    author = ask.author
    if author is None or not author.is_active:
        raise ValidationError(
            _("Its author has left, so nobody can approve the wording: it cannot be shared.")
        )
    return author


@transaction.atomic
def propose(
    *,
    ask: Ask,
    facilitator: Person,
    title: str,
    body: str,
    space: Space | None = None,
) -> Ask:
    """A facilitator's anonymised wording, for the author to approve before allies see it.

    For an ask not shared yet, `space` is the allies' space to publish to; for one already
    published, the new wording replaces the old once approved."""
    if not ask.space.can_moderate(facilitator):
        raise PermissionDenied(_("Only a facilitator of the group's space can share its asks."))
    author = _require_author_can_approve(ask)
    if ask.author_withdrew_at is not None:
        raise ValidationError(_("Its author withdrew it from allies, so it is not shared again."))
    if ask.published_id is None:
        if space is None:
            raise ValidationError({"space": _("Choose an allies' space to publish to.")})
        _require_allies_space(space, facilitator, ask)
    title, body = title.strip(), body.strip()
    check_wording(ask_space=ask.space, facilitator=facilitator, title=title, body=body)
    # The same limits as the published version, checked before anything is stored.
    PublishedAsk(space=space or ask.space, title=title, body=body).full_clean(exclude=["space"])
    ask.proposal = Ask.Proposal.WAITING
    ask.proposed_title = title
    ask.proposed_body = body
    ask.proposed_space = space if ask.published_id is None else None
    ask.proposed_by = facilitator
    ask.proposal_version += 1
    ask.save(update_fields=PROPOSAL_FIELDS)
    if author.pk != facilitator.pk:
        community.tell(
            people=[author],
            kind=APPROVAL,
            summary=lambda: _(
                "A facilitator proposes wording to share your ask with allies. Nothing is "
                "shared until you approve it."
            ),
            url=ask.get_absolute_url(),
            space_id=ask.space_id,
        )
    return ask


PROPOSAL_FIELDS = [
    "proposal",
    "proposed_title",
    "proposed_body",
    "proposed_space",
    "proposed_by",
    "proposal_version",
]


def _require_waiting_for(ask: Ask, author: Person, version: int) -> None:
    if not ask.is_author(author):
        raise PermissionDenied(_("Only the ask's author decides how it is shared."))
    if not ask.is_waiting:
        raise ValidationError(_("No wording is waiting for your approval."))
    if version != ask.proposal_version:
        raise ValidationError(
            _(
                "The facilitator changed the wording since you opened the page. Please read "
                "the new wording before you decide."
            )
        )


def _clear_proposal(ask: Ask, outcome: str) -> None:
    # The author's "please approve" notifications are done with once they have decided.
    mark_read(kind=APPROVAL, person=ask.author, url=ask.get_absolute_url(), at=timezone.now())
    ask.proposal = outcome
    ask.proposed_title = None
    ask.proposed_body = None
    ask.proposed_space = None


@transaction.atomic
def approve(*, ask: Ask, author: Person, version: int) -> PublishedAsk:
    """The author approves the exact wording they were shown: only now do allies see it."""
    ask = (
        Ask.objects.select_for_update(of=("self",))
        .select_related("published", "space")
        .get(pk=ask.pk)
    )
    _require_waiting_for(ask, author, version)
    title, body = ask.proposed_title or "", ask.proposed_body or ""
    published = ask.published
    if published is None:
        if ask.proposed_space is None:
            raise ValidationError(
                _("The allies' space chosen for it is gone; ask for new wording.")
            )
        published = PublishedAsk(space=ask.proposed_space, title=title, body=body)
        published.full_clean()
        published.save()
        ask.published = published
        ask.published_by = ask.proposed_by
        # Only the title and a link, and only once: a new wording is not announced again.
        chat.announce_in_space_channels(
            space_id=published.space_id,
            key=f"ask:{published.pk}",
            title=published.title,
            path=published.get_absolute_url(),
        )
    else:
        published.title, published.body = title, body
        published.updated_at = timezone.now()
        published.full_clean()
        published.save(update_fields=["title", "body", "updated_at"])
    proposer = ask.proposed_by
    _clear_proposal(ask, Ask.Proposal.NONE)
    ask.save(update_fields=[*PROPOSAL_FIELDS, "published", "published_by"])
    _tell_the_proposer(
        ask, proposer, lambda: _("The author approved your wording of an ask: allies see it now.")
    )
    return published


@transaction.atomic
def decline(*, ask: Ask, author: Person, version: int) -> None:
    """The author says no to the wording: nothing is shared, and it is forgotten."""
    ask = Ask.objects.select_for_update(of=("self",)).select_related("space").get(pk=ask.pk)
    _require_waiting_for(ask, author, version)
    proposer = ask.proposed_by
    _clear_proposal(ask, Ask.Proposal.DECLINED)
    ask.save(update_fields=PROPOSAL_FIELDS)
    _tell_the_proposer(
        ask, proposer, lambda: _("The author declined your wording of an ask. Nothing was shared.")
    )


def _tell_the_proposer(ask: Ask, proposer: Person | None, summary: Callable[[], str]) -> None:
    if proposer is not None and not ask.is_author(proposer):
        community.tell(
            people=[proposer],
            kind=APPROVAL,
            summary=summary,
            url=ask.get_absolute_url(),
            space_id=ask.space_id,
        )


@transaction.atomic
def withdraw_by_author(*, ask: Ask, author: Person) -> None:
    """The author takes their ask back from allies. Facilitators cannot show it again;
    commitments allies already made stay with them."""
    if not ask.is_author(author):
        raise PermissionDenied(_("Only the ask's author can withdraw it."))
    published = ask.published
    if published is None:
        raise ValidationError(_("It is not shared with allies."))
    now = timezone.now()
    if published.withdrawn_at is None:
        published.withdrawn_at = now
        published.save(update_fields=["withdrawn_at"])
    ask.author_withdrew_at = now
    ask.save(update_fields=["author_withdrew_at"])


def _require_moderator(published: PublishedAsk, facilitator: Person) -> None:
    if not published.space.can_moderate(facilitator):
        raise PermissionDenied(_("Only a facilitator of this space can change it."))


@transaction.atomic
def set_withdrawn(*, published: PublishedAsk, facilitator: Person, withdrawn: bool) -> None:
    """Take a published ask out of the allies' space, or put it back, unless its author
    withdrew it. Commitments already made stay with the people who made them."""
    _require_moderator(published, facilitator)
    if (
        not withdrawn
        and Ask.objects.filter(published=published, author_withdrew_at__isnull=False).exists()
    ):
        raise ValidationError(_("Its author withdrew it, so it stays out of the allies' space."))
    published.withdrawn_at = timezone.now() if withdrawn else None
    published.save(update_fields=["withdrawn_at"])


@transaction.atomic
def respond(
    *,
    published: PublishedAsk,
    person: Person,
    title: str,
    practice_slug: str,
    courage: int,
    cadence: str,
    cue: str = "",
    note: str = "",
) -> AskResponse:
    """ "I'll do this": a commitment in the person's own practice loop, plus an optional
    short note that others in the allies' space can read."""
    if not community.can_view(person, published.space) or not published.is_live:
        raise PermissionDenied(_("Not an ask you can respond to."))
    if AskResponse.objects.filter(published_ask=published, person=person).exists():
        raise ValidationError(_("You have already said you'll do this."))
    commitment = practice.commit(
        person=person,
        title=title.strip(),
        practice=practice_slug,
        courage=courage,
        cadence=cadence,
        cue=cue,
    )
    response = AskResponse(
        published_ask=published, person=person, commitment=commitment, note=note.strip()
    )
    response.full_clean(exclude=["commitment"])
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as error:
        raise ValidationError(_("You have already said you'll do this.")) from error
    return response
