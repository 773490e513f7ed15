"""Writes of brokered asks. Keyword-only, validated, atomic.

The text of an ask is sensitive: nothing here logs it, and notifications about asks never
quote it.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from bridgework.accounts.models import Person
from bridgework.community.models import GuidelinesAcceptance, Notification, Space
from bridgework.community.notifications import notify
from bridgework.community.visibility import can_view
from bridgework.practice import services as practice

from .models import Ask, AskResponse, PublishedAsk

# A group can say a lot in five asks a day; more is likely a mistake or a flood.
ASKS_PER_DAY = 5
ALLIES_AUDIENCES = (Space.Audience.ORGANISATION, Space.Audience.COHORT)


def may_write_in(space: Space, person: Person) -> bool:
    return space.is_protected and space.can_post(person)


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
        raise PermissionDenied("Asks are written in your own group's space.")
    if not space.has_accepted_guidelines(author):
        if not accept_guidelines:
            raise ValidationError(
                {"accept_guidelines": "Please read and accept the space's guidelines first."}
            )
        GuidelinesAcceptance.objects.get_or_create(space=space, person=author)
    Person.objects.select_for_update().filter(pk=author.pk).first()
    if ask_limit_reached(author):
        raise ValidationError(
            f"You have written {ASKS_PER_DAY} asks today. Please wait until tomorrow."
        )
    ask = Ask(space=space, author=author, title=title.strip(), body=body.strip())
    ask.full_clean()
    ask.save()
    return ask


def _require_allies_space(space: Space, facilitator: Person, ask: Ask) -> None:
    if space.pk not in {s.pk for s in allies_spaces_for(facilitator, ask.space)}:
        raise ValidationError({"space": "Choose an allies' space that you facilitate."})


@transaction.atomic
def publish(*, ask: Ask, facilitator: Person, space: Space, title: str, body: str) -> PublishedAsk:
    """Publish the facilitator's anonymised wording of an ask to an allies' space."""
    if not ask.space.can_moderate(facilitator):
        raise PermissionDenied("Only a facilitator of the group's space can publish its asks.")
    if ask.published_id is not None:
        raise ValidationError("This ask has been published already; edit that version instead.")
    _require_allies_space(space, facilitator, ask)
    published = PublishedAsk(space=space, title=title.strip(), body=body.strip())
    published.full_clean()
    published.save()
    ask.published = published
    ask.published_by = facilitator
    ask.save(update_fields=["published", "published_by"])
    if ask.author is not None and ask.author_id != facilitator.pk:
        notify(
            person=ask.author,
            kind=Notification.Kind.ASK_PUBLISHED,
            summary="A facilitator shared your ask with allies, without your name.",
            url=ask.get_absolute_url(),
            space=ask.space,
        )
    return published


def _require_moderator(published: PublishedAsk, facilitator: Person) -> None:
    if not published.space.can_moderate(facilitator):
        raise PermissionDenied("Only a facilitator of this space can change it.")


@transaction.atomic
def edit_published(
    *, published: PublishedAsk, facilitator: Person, title: str, body: str
) -> PublishedAsk:
    _require_moderator(published, facilitator)
    published.title = title.strip()
    published.body = body.strip()
    published.updated_at = timezone.now()
    published.full_clean()
    published.save(update_fields=["title", "body", "updated_at"])
    return published


@transaction.atomic
def set_withdrawn(*, published: PublishedAsk, facilitator: Person, withdrawn: bool) -> None:
    """Take a published ask out of the allies' space, or put it back. Commitments already
    made stay with the people who made them."""
    _require_moderator(published, facilitator)
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
    if not can_view(person, published.space) or not published.is_live:
        raise PermissionDenied("Not an ask you can respond to.")
    if AskResponse.objects.filter(published_ask=published, person=person).exists():
        raise ValidationError("You have already said you'll do this.")
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
        raise ValidationError("You have already said you'll do this.") from error
    return response
