"""Linking a person to a chat account and choosing where reminders go. Keyword-only,
validated, atomic. A link is never made silently: a one-time code shown to the chat
account is entered by the signed-in person on their Profile."""

from __future__ import annotations

import secrets
from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.models import Person

from . import platforms
from .models import (
    CODE_LIFETIME,
    ChatLink,
    ChatLinkCode,
    Destination,
    ReminderDestination,
    hash_code,
)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or retyped


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{raw[:4]}-{raw[4:]}"


@transaction.atomic
def start_link(*, person: Person, platform_key: str) -> bool:
    """Profile's "Link": find the person's chat account by their verified e-mail address and
    send it a code. False when the platform cannot find them (they ask the app for a code)."""
    platform = platforms.get(platform_key)
    if platform is None or not platform.is_connected(person.organisation):
        raise ValidationError(gettext("That chat service is not connected to your organisation."))
    found = platform.find_user(person.organisation, person.email)
    if found is None:
        return False
    code = new_code()
    ChatLink.objects.filter(person=person, platform=platform_key).delete()
    link = ChatLink.objects.create(
        person=person,
        platform=platform_key,
        external_team_id=found.team_id,
        external_user_id=found.user_id,
        code_hash=hash_code(code),
        code_expires_at=timezone.now() + CODE_LIFETIME,
    )
    try:
        platform.send_link_confirmation(link, code)
    except (platforms.ChatUnreachable, platforms.RateLimited):
        raise ValidationError(
            gettext("We could not reach you in %(service)s just now. Try again in a minute.")
            % {"service": platform.label}
        ) from None
    return True


@transaction.atomic
def code_for_chat_account(*, platform_key: str, team_id: str, user_id: str) -> str:
    """A code shown in chat to an account not linked yet; entered on Profile, it links."""
    code = new_code()
    ChatLinkCode.objects.filter(
        platform=platform_key, external_team_id=team_id, external_user_id=user_id
    ).delete()
    ChatLinkCode.objects.create(
        platform=platform_key,
        external_team_id=team_id,
        external_user_id=user_id,
        code_hash=hash_code(code),
        expires_at=timezone.now() + CODE_LIFETIME,
    )
    return code


BAD_CODE = gettext_lazy("That code is not right or has expired. Ask for a new one.")


@transaction.atomic
def confirm_link(*, person: Person, code: str) -> ChatLink:
    """Confirm the link whose code this is: one sent to this person's chat account, or one
    their chat account was shown."""
    now = timezone.now()
    digest = hash_code(code)
    link = (
        ChatLink.objects.select_for_update()
        .filter(person=person, code_hash=digest, code_expires_at__gte=now)
        .first()
    )
    if link is None:
        shown = ChatLinkCode.objects.filter(code_hash=digest, expires_at__gte=now).first()
        if shown is None:
            raise ValidationError(BAD_CODE)
        ChatLink.objects.filter(person=person, platform=shown.platform).delete()
        link = ChatLink(
            person=person,
            platform=shown.platform,
            external_team_id=shown.external_team_id,
            external_user_id=shown.external_user_id,
        )
        shown.delete()
    # Another person's earlier link to the same chat account ends: one account, one person.
    ChatLink.objects.filter(
        platform=link.platform,
        external_team_id=link.external_team_id,
        external_user_id=link.external_user_id,
    ).exclude(person=person).delete()
    link.code_hash = ""
    link.code_expires_at = None
    link.confirmed_at = now
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError:
        raise ValidationError(BAD_CODE) from None
    return link


@transaction.atomic
def unlink(*, person: Person, platform_key: str) -> None:
    """Stops at once: every send looks the link up, and reminders go back to e-mail."""
    ChatLink.objects.filter(person=person, platform=platform_key).delete()
    ReminderDestination.objects.filter(person=person, destination=platform_key).update(
        destination=Destination.EMAIL, updated_at=timezone.now()
    )


@transaction.atomic
def unlink_everyone(*, organisation_id: int, platform_key: str) -> int:
    """Every link of the organisation's people on one platform, for when the organisation
    connects an app whose secrets someone there holds: each person links again, knowing
    which app they link to (codes the earlier app showed go too: `forget_link_codes`).
    Returns how many links went."""
    people = Person.objects.filter(organisation_id=organisation_id)
    unlinked, _ = ChatLink.objects.filter(platform=platform_key, person__in=people).delete()
    ReminderDestination.objects.filter(destination=platform_key, person__in=people).update(
        destination=Destination.EMAIL, updated_at=timezone.now()
    )
    return unlinked


@transaction.atomic
def forget_link_codes(
    *, platform_key: str, team_ids: Collection[str], user_ids: Collection[str] | None = None
) -> int:
    """Codes shown in chat and not entered yet, in these teams (to these accounts only, when
    given), for when the app that showed them is replaced: entered afterwards, a code would
    link its person through an app they never saw. Returns how many went."""
    codes = ChatLinkCode.objects.filter(platform=platform_key, external_team_id__in=team_ids)
    if user_ids is not None:
        codes = codes.filter(external_user_id__in=user_ids)
    forgotten, _ = codes.delete()
    return forgotten


@transaction.atomic
def choose_destination(*, person: Person, destination: str) -> ReminderDestination:
    if destination not in Destination.values:
        raise ValidationError(gettext("Choose e-mail or a chat service you have linked."))
    if destination != Destination.EMAIL:
        platform = platforms.get(destination)
        if platform is None or not platform.is_connected(person.organisation):
            raise ValidationError(
                gettext("That chat service is not connected to your organisation.")
            )
        if not ChatLink.objects.confirmed().filter(person=person, platform=destination).exists():
            raise ValidationError(gettext("Link your account there first."))
    row, _ = ReminderDestination.objects.update_or_create(
        person=person, defaults={"destination": destination, "updated_at": timezone.now()}
    )
    return row


def person_for(*, platform_key: str, team_id: str, user_id: str) -> ChatLink | None:
    """The confirmed link of a chat account, for a button or a command from it."""
    return (
        ChatLink.objects.confirmed()
        .filter(
            platform=platform_key,
            external_team_id=team_id,
            external_user_id=user_id,
            person__is_active=True,
        )
        .select_related("person__organisation")
        .first()
    )
