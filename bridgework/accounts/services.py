"""Writes about organisations and people that span models or talk to the outside."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from . import tasks
from .encryption import destroy_data_key
from .models import (
    CommunityGroup,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    PrivateProfile,
    Role,
)

MAX_CSV_ROWS = 5000
ROLE_WORDS = {
    "participant": Role.PARTICIPANT,
    "facilitator": Role.FACILITATOR,
    "program admin": Role.PROGRAM_ADMIN,
    "program_admin": Role.PROGRAM_ADMIN,
    "admin": Role.PROGRAM_ADMIN,
}


@transaction.atomic
def create_organisation(
    *,
    name: str,
    admin_email: str,
    admin_name: str,
    admin_password: str | None,
    is_demo: bool = False,
) -> tuple[Organisation, Person]:
    """A new organisation and its first program admin (also a participant)."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Give the organisation a name."})
    validate_email(admin_email)
    if Person.objects.filter(email__iexact=admin_email).exists():
        raise ValidationError({"admin_email": "Someone with this e-mail address already exists."})
    organisation = Organisation.objects.create(
        name=name, slug=Organisation.unique_slug_for(name), is_demo=is_demo
    )
    prepare_new_organisation(organisation)
    admin = create_person(
        organisation=organisation,
        email=admin_email,
        chosen_name=admin_name,
        password=admin_password,
        roles={Role.PROGRAM_ADMIN, Role.PARTICIPANT},
    )
    return organisation, admin


def prepare_new_organisation(organisation: Organisation) -> None:
    """Run the NEW_ORGANISATION_HOOKS (for example, loading the shipped curriculum)."""
    for path in settings.NEW_ORGANISATION_HOOKS:
        import_string(path)(organisation)


def create_person(
    *,
    organisation: Organisation,
    email: str,
    chosen_name: str,
    password: str | None,
    roles: AbstractSet[str],
    pronouns: str = "",
) -> Person:
    from allauth.account.models import EmailAddress

    person = Person.objects.create_user(
        email, password, organisation=organisation, chosen_name=chosen_name, pronouns=pronouns
    )
    person.set_roles(set(roles))
    EmailAddress.objects.create(user=person, email=person.email, primary=True, verified=True)
    return person


@transaction.atomic
def invite_person(
    *,
    organisation: Organisation,
    email: str,
    chosen_name: str,
    roles: list[str],
    invited_by: Person,
) -> Invitation:
    invitation, _ = Invitation.build(
        organisation=organisation,
        email=email,
        chosen_name=chosen_name,
        roles=roles,
        invited_by=invited_by,
    )
    invitation.save()
    # The e-mail goes out from a background task after the row is committed, so a large
    # CSV import answers at once and a rolled-back import sends nothing. The task issues the
    # token itself: no usable token is ever stored, not even in the task queue.
    transaction.on_commit(lambda: tasks.deliver_invitation.enqueue(invitation.pk))
    return invitation


def send_invitation(invitation: Invitation, token: str) -> None:
    link = settings.BASE_URL + reverse("accept_invitation", args=[token])
    context = {"invitation": invitation, "link": link}
    send_mail(
        subject=f"You're invited to {invitation.organisation.name} on Bridgework",
        message=render_to_string("accounts/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@dataclass
class CsvImportResult:
    invitations: list[Invitation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _parse_roles(raw: str) -> list[str] | None:
    words = [word.strip().lower() for word in raw.replace(",", ";").split(";") if word.strip()]
    if not words:
        return [Role.PARTICIPANT]
    roles = [ROLE_WORDS.get(word) for word in words]
    if any(role is None for role in roles):
        return None
    return sorted({str(role) for role in roles})


_UNREADABLE = (
    "this line cannot be read: a field is too long (over 128 KB) or a quote is not closed. "
    "Check the file in a spreadsheet and save it as CSV again."
)


def _rows_of(reader: csv.DictReader[str], result: CsvImportResult) -> Iterator[dict[str, str]]:
    """The reader's rows, stopping with a clear error at a line Python's reader refuses."""
    while True:
        # The record that fails starts on the line after the last one read well.
        starts_on = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error:
            result.errors.append(f"Line {starts_on}: {_UNREADABLE}")
            return
        yield row


def import_invitations_csv(
    *, organisation: Organisation, data: bytes, invited_by: Person
) -> CsvImportResult:
    """Invite everyone in a CSV (columns: email, name, roles) — all rows or none."""
    result = CsvImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")
        return result
    reader = csv.DictReader(io.StringIO(text))
    try:
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        result.errors.append(f"Line 1: {_UNREADABLE}")
        return result
    if "email" not in headers:
        result.errors.append(
            "Line 1: the header row must have an 'email' column "
            "(and optionally 'name' and 'roles')."
        )
        return result
    reader.fieldnames = headers
    # Only this organisation's people: other organisations' accounts are not for it to learn.
    existing = {
        email.lower()
        for email in Person.objects.filter(organisation=organisation).values_list(
            "email", flat=True
        )
    }
    pending = set(
        Invitation.objects.pending()
        .filter(organisation=organisation)
        .values_list("email", flat=True)
    )
    seen: dict[str, int] = {}
    rows: list[tuple[str, str, list[str]]] = []
    for row in _rows_of(reader, result):
        line = reader.line_num
        if len(rows) + len(result.errors) >= MAX_CSV_ROWS:
            result.errors.append(f"The file has more than {MAX_CSV_ROWS} rows; split it up.")
            break
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        email = (row.get("email") or "").strip().lower()
        name = (row.get("name") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            result.errors.append(f"Line {line}: '{email or '(empty)'}' is not an e-mail address.")
            continue
        if len(name) > 80:
            result.errors.append(f"Line {line}: the name is longer than 80 characters.")
            continue
        roles = _parse_roles(row.get("roles") or "")
        if roles is None:
            result.errors.append(
                f"Line {line}: unknown role in '{row.get('roles')}'. "
                "Use participant, facilitator or program admin, separated by ';'."
            )
            continue
        if email in seen:
            result.errors.append(f"Line {line}: {email} is already on line {seen[email]}.")
            continue
        seen[email] = line
        if email in existing:
            result.errors.append(f"Line {line}: {email} already has an account here.")
            continue
        if email in pending:
            result.errors.append(f"Line {line}: {email} already has a pending invitation.")
            continue
        rows.append((email, name, roles))
    if not rows and not result.errors:
        result.errors.append("The file has no rows to import.")
    if result.errors:
        return result
    with transaction.atomic():
        for email, name, roles in rows:
            result.invitations.append(
                invite_person(
                    organisation=organisation,
                    email=email,
                    chosen_name=name,
                    roles=roles,
                    invited_by=invited_by,
                )
            )
    return result


@transaction.atomic
def accept_invitation(
    *, invitation: Invitation, chosen_name: str, pronouns: str, password: str
) -> Person:
    if Person.objects.filter(email__iexact=invitation.email).exists():
        raise ValidationError(
            "An account with this e-mail address already exists. Sign in instead."
        )
    person = create_person(
        organisation=invitation.organisation,
        email=invitation.email,
        chosen_name=chosen_name,
        password=password,
        roles=set(invitation.roles) or {Role.PARTICIPANT},
        pronouns=pronouns,
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return person


def join_group(*, person: Person, group: CommunityGroup, added_by: str) -> None:
    GroupMembership.objects.get_or_create(
        group=group, person=person, defaults={"added_by": added_by}
    )


def leave_group(*, person: Person, group: CommunityGroup) -> None:
    GroupMembership.objects.filter(group=group, person=person).delete()


def save_intention(*, person: Person, intention: str) -> None:
    profile, _ = PrivateProfile.objects.get_or_create(person=person)
    profile.intention = intention
    profile.save()


@transaction.atomic
def erase_person(*, person: Person) -> None:
    """Erase a person: destroy their data key first, then their rows.

    Destroying the key first means every copy of their ciphertext, in a backup say, is
    unreadable even before the rows are gone.
    """
    destroy_data_key(person)
    # Other apps remove what is keyed by a pseudonym rather than a foreign key.
    for path in getattr(settings, "ERASURE_HOOKS", []):
        import_string(path)(person)
    person.delete()
