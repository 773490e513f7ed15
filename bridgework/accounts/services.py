"""Writes about organisations and people that span models or talk to the outside."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_noop

from bridgework.jobs import outbox

from . import registry, tasks
from .encryption import destroy_data_key, destroy_data_keys_in
from .models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    PrivateProfile,
    Role,
    SettingsChange,
    usual_language,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

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


@transaction.atomic
def send_invitation_again(invitation: Invitation) -> None:
    """A new e-mail with a new link, valid for the full time again; the old link stops
    working when the new one is issued."""
    invitation.expires_at = timezone.now() + timedelta(days=settings.INVITATION_DAYS)
    invitation.save(update_fields=["expires_at"])
    transaction.on_commit(lambda: tasks.deliver_invitation.enqueue(invitation.pk))


def queue_invitation(invitation_id: int, *, send_key: str) -> bool:
    """Issue a token and queue the e-mail in one transaction, then try to send it.

    `send_key` names this send; a second call with the same key (a retried task) queues
    nothing, so it cannot replace the token of an e-mail already on its way. The token
    lives only in the queued e-mail, encrypted, until the mail server has it.
    """
    key = f"invitation:{invitation_id}:{send_key}"
    with transaction.atomic():
        invitation = (
            Invitation.objects.pending()
            .select_for_update(of=("self",))
            .select_related("organisation", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None or outbox.is_queued(key):
            return False
        link = settings.BASE_URL + reverse("accept_invitation", args=[invitation.issue_token()])
        # Nobody has chosen a language yet: the organisation's default it is.
        with translation.override(usual_language("", invitation.organisation)):
            subject = gettext("You're invited to %(organisation)s on Bridgework") % {
                "organisation": invitation.organisation.name
            }
            body = render_to_string(
                "accounts/email/invitation.txt", {"invitation": invitation, "link": link}
            )
        email = outbox.queue(key=key, to=invitation.email, subject=subject, body=body)
    outbox.send(email)
    return True


@dataclass
class CsvImportResult:
    invitations: list[Invitation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # Left as they are: a re-uploaded export from HR lists people who are already here.
    already_here: int = 0
    already_invited: int = 0


def _parse_roles(raw: str) -> list[str] | None:
    words = [word.strip().lower() for word in raw.replace(",", ";").split(";") if word.strip()]
    if not words:
        return [Role.PARTICIPANT]
    roles = [ROLE_WORDS.get(word) for word in words]
    if any(role is None for role in roles):
        return None
    return sorted({str(role) for role in roles})


def _unreadable(line: int) -> str:
    return gettext(
        "Line %(line)s: this line cannot be read: a field is too long (over 128 KB) or a "
        "quote is not closed. Check the file in a spreadsheet and save it as CSV again."
    ) % {"line": line}


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
            result.errors.append(_unreadable(starts_on))
            return
        yield row


def _separator(text: str) -> str:
    """Commas, or the semicolons (or tabs) a spreadsheet saves in many European languages:
    whichever the header row has most of."""
    header = text.partition("\n")[0]
    return max((",", ";", "\t"), key=header.count)


def import_invitations_csv(
    *, organisation: Organisation, data: bytes, invited_by: Person
) -> CsvImportResult:
    """Invite everyone in a CSV (columns: email, name, roles) — all rows or none, leaving out
    people who already have an account here or a pending invitation."""
    result = CsvImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append(
            gettext("The file is not UTF-8 text. Save it as CSV (UTF-8) and try again.")
        )
        return result
    reader = csv.DictReader(io.StringIO(text), delimiter=_separator(text))
    try:
        headers = [h.strip().lower() for h in (reader.fieldnames or [])]
    except csv.Error:
        result.errors.append(_unreadable(1))
        return result
    if "email" not in headers:
        result.errors.append(
            gettext(
                "Line 1: the header row must have an 'email' column "
                "(and optionally 'name' and 'roles')."
            )
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
            result.errors.append(
                gettext("The file has more than %(count)s rows; split it up.")
                % {"count": MAX_CSV_ROWS}
            )
            break
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        email = (row.get("email") or "").strip().lower()
        name = (row.get("name") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            if email:
                problem = gettext("Line %(line)s: '%(email)s' is not an e-mail address.")
            else:
                problem = gettext("Line %(line)s: the e-mail address is empty.")
            result.errors.append(problem % {"line": line, "email": email})
            continue
        if len(name) > 80:
            result.errors.append(
                gettext("Line %(line)s: the name is longer than 80 characters.") % {"line": line}
            )
            continue
        roles = _parse_roles(row.get("roles") or "")
        if roles is None:
            result.errors.append(
                gettext(
                    "Line %(line)s: unknown role in '%(roles)s'. "
                    "Use participant, facilitator or program admin, separated by ';'."
                )
                % {"line": line, "roles": row.get("roles")}
            )
            continue
        if email in seen:
            result.errors.append(
                gettext("Line %(line)s: %(email)s is already on line %(first)s.")
                % {"line": line, "email": email, "first": seen[email]}
            )
            continue
        seen[email] = line
        if email in existing:
            result.already_here += 1
            continue
        if email in pending:
            result.already_invited += 1
            continue
        rows.append((email, name, roles))
    if not rows and not result.errors and not (result.already_here or result.already_invited):
        result.errors.append(gettext("The file has no rows to import."))
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
            gettext("An account with this e-mail address already exists. Sign in instead.")
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


def _notify(*, person: Person, summary: str, url: str) -> None:
    """An in-app notification. They belong to the community app, which builds on this one,
    so it is named in settings (IN_APP_NOTIFIER) rather than imported. The summary may go
    out in an e-mail digest, so it never names a group or a person. It is marked with
    gettext_noop: the notifications app writes it in the recipient's language."""
    import_string(settings.IN_APP_NOTIFIER)(person=person, kind="other", summary=summary, url=url)


def _answer_url(invitation: GroupInvitation) -> str:
    """Where the invited person answers: their invitation on the groups page. Each invitation
    has an address of its own, so settling what it asked leaves any other group's alone."""
    return f"{reverse('groups')}#group-invitation-{invitation.pk}"


def _waiting_url(invitation: GroupInvitation) -> str:
    """Where the group's leads let in, or turn away, someone who accepted: the person on the
    group's list, by an address of their own (the list also carries news of new members)."""
    return f"{reverse('group_roster', args=[invitation.group_id])}#waiting-{invitation.pk}"


def _settle_answer(invitation: GroupInvitation) -> None:
    """The invited person has answered: being asked to is no longer news to them."""
    import_string(settings.IN_APP_SETTLER)(
        kind="other", people=[invitation.person_id], url=_answer_url(invitation), at=timezone.now()
    )


def _settle_waiting(invitation: GroupInvitation) -> None:
    """Nobody waits on this invitation any more (a lead decided, the person withdrew or was
    asked something new): the leads' request to decide is no longer news, whichever lead
    acted. Only the group's leads as they are now: someone no longer leading it cannot see
    who waits, so their count must not tell them when that was settled."""
    leads = GroupMembership.objects.filter(group_id=invitation.group_id, is_lead=True)
    import_string(settings.IN_APP_SETTLER)(
        kind="other",
        people=list(leads.values_list("person_id", flat=True)),
        url=_waiting_url(invitation),
        at=timezone.now(),
    )


def _tell_leads_of_new_member(
    *,
    group: CommunityGroup,
    newcomer: Person,
    as_lead: bool = False,
    told_already: Person | None = None,
) -> None:
    """The leads hear of every new member, and of every new lead: a lead decides who looks
    after the group's spaces, so a lead a program admin named is never a silent one."""
    leads = _active_leads(group).exclude(pk=newcomer.pk)
    if told_already is not None:
        leads = leads.exclude(pk=told_already.pk)
    for lead in leads:
        _notify(
            person=lead,
            summary=gettext_noop("A community group you lead has a new lead.")
            if as_lead
            else gettext_noop("A community group you lead has a new member."),
            url=reverse("group_roster", args=[group.pk]),
        )


@transaction.atomic
def join_group(*, person: Person, group: CommunityGroup) -> bool:
    """Join an open group. True when the person was not a member before."""
    if not group.open_to_join:
        raise ValidationError(
            gettext("%(group)s is not open to join; its members are invited.")
            % {"group": group.name}
        )
    _, created = GroupMembership.objects.get_or_create(
        group=group, person=person, defaults={"added_by": GroupMembership.AddedBy.SELF}
    )
    if created:
        _tell_leads_of_new_member(group=group, newcomer=person)
    return created


@transaction.atomic
def invite_to_group(
    *, group: CommunityGroup, person: Person, invited_by: Person, as_lead: bool = False
) -> None:
    """Ask someone to join a group (or, with as_lead, to lead it). Nobody becomes a member
    here. Whatever the person's membership is, the one inviting learns nothing from it: the
    call does the same from where they stand, and for an existing member it asks only what
    is new (to lead)."""
    if person.organisation_id != group.organisation_id or not person.is_active:
        raise ValidationError(gettext("Invite someone from your organisation."))
    if person.pk == invited_by.pk:
        raise ValidationError(gettext("You cannot invite yourself into a group."))
    membership = GroupMembership.objects.filter(group=group, person=person).first()
    if membership is not None and (membership.is_lead or not as_lead):
        return
    invitation, created = GroupInvitation.objects.get_or_create(
        group=group, person=person, defaults={"as_lead": as_lead, "invited_by": invited_by}
    )
    asked_to_lead_now = not created and as_lead and not invitation.as_lead
    if asked_to_lead_now:
        # Asked to lead now: they accept that anew (told so below), and the leads see it as
        # what it is.
        if invitation.accepted_at is not None:
            _settle_waiting(invitation)
        _settle_answer(invitation)
        invitation.as_lead = True
        invitation.accepted_at = None
        invitation.save(update_fields=["as_lead", "accepted_at"])
    if created or asked_to_lead_now:
        _notify(
            person=person,
            summary=gettext_noop(
                "You are asked to lead a community group. Accept or decline it there."
            )
            if invitation.as_lead
            else gettext_noop("You are invited to a community group. Accept or decline it there."),
            url=_answer_url(invitation),
        )


def _active_leads(group: CommunityGroup) -> models.QuerySet[Person]:
    return Person.objects.filter(
        groupmembership__group=group, groupmembership__is_lead=True, is_active=True
    )


@transaction.atomic
def accept_group_invitation(*, invitation: GroupInvitation) -> GroupMembership | None:
    """The person says yes. An invitation to lead a group without a lead makes them its lead
    now when nobody else is in the group, or when they are in it already. Any other waits,
    and the answer is None, until one of the group's leads lets them in: a program admin
    picks whom to invite, and could pick an account of their own, so the people the group
    trusts have the last word. A lead who has been deactivated still counts (deactivating
    them must not open the door); leads who are not active are not asked."""
    invitation = (
        GroupInvitation.objects.select_for_update()
        .select_related("group", "person")
        .get(pk=invitation.pk)
    )
    _settle_answer(invitation)
    others = GroupMembership.objects.filter(group=invitation.group).exclude(
        person=invitation.person
    )
    already_in = GroupMembership.objects.filter(
        group=invitation.group, person=invitation.person
    ).exists()
    # Once a group has members, a newcomer made its lead would see them all.
    leaderless = not others.filter(is_lead=True).exists()
    if invitation.as_lead and leaderless and (already_in or not others.exists()):
        return _admit(invitation)
    if invitation.accepted_at is None:
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
        for lead in _active_leads(invitation.group).exclude(pk=invitation.person_id):
            _notify(
                person=lead,
                summary=gettext_noop(
                    "Someone accepted an invitation into a community group you lead. "
                    "Let them in, or turn them away."
                ),
                url=_waiting_url(invitation),
            )
    return None


def _admit(invitation: GroupInvitation, *, by: Person | None = None) -> GroupMembership:
    membership, created = GroupMembership.objects.get_or_create(
        group=invitation.group,
        person=invitation.person,
        defaults={"added_by": GroupMembership.AddedBy.INVITATION, "is_lead": invitation.as_lead},
    )
    promoted = not created and invitation.as_lead and not membership.is_lead
    if promoted:
        membership.is_lead = True
        membership.save(update_fields=["is_lead"])
    if invitation.accepted_at is not None:
        _settle_waiting(invitation)
    invitation.delete()
    if created or promoted:
        _tell_leads_of_new_member(
            group=membership.group,
            newcomer=membership.person,
            as_lead=membership.is_lead,
            told_already=by,
        )
    return membership


def _waiting_invitation(
    *, lead: Person, group: CommunityGroup, invitation_id: int, as_lead: bool | None = None
) -> GroupInvitation:
    if not lead.is_active or not group.is_led_by(lead):
        raise PermissionDenied(gettext("Only the group's leads let people in."))
    invitation = (
        GroupInvitation.objects.select_for_update()
        .filter(pk=invitation_id, group=group, accepted_at__isnull=False)
        .select_related("group", "person")
        .first()
    )
    if invitation is None or not invitation.person.is_active:
        raise ValidationError(gettext("Nobody is waiting to be let in any more."))
    if as_lead is not None and invitation.as_lead != as_lead:
        # The lead decided on what the page showed them; it has changed since.
        raise ValidationError(
            gettext("What they were invited to has changed. Look at the list again.")
        )
    return invitation


@transaction.atomic
def let_in(
    *, lead: Person, group: CommunityGroup, invitation_id: int, as_lead: bool | None = None
) -> GroupMembership:
    """One of the group's leads lets in someone who accepted an invitation (`as_lead`: what
    the lead was shown they were invited to, checked against what it is now)."""
    invitation = _waiting_invitation(
        lead=lead, group=group, invitation_id=invitation_id, as_lead=as_lead
    )
    membership = _admit(invitation, by=lead)
    _notify(
        person=membership.person,
        summary=gettext_noop("You are now in a community group you were invited to."),
        url=reverse("groups"),
    )
    return membership


@transaction.atomic
def turn_away(*, lead: Person, group: CommunityGroup, invitation_id: int) -> None:
    """One of the group's leads does not let them in: the invitation is gone, and the person
    is told only that (not by whom)."""
    invitation = _waiting_invitation(lead=lead, group=group, invitation_id=invitation_id)
    _settle_waiting(invitation)
    invitation.delete()
    _notify(
        person=invitation.person,
        summary=gettext_noop(
            "An invitation you accepted into a community group was not confirmed."
        ),
        url=reverse("groups"),
    )


@transaction.atomic
def decline_group_invitation(*, invitation: GroupInvitation) -> None:
    """The person says no, or withdraws after accepting. Nothing is kept, and nobody is
    told; what the person and the leads were asked about it is settled."""
    _settle_answer(invitation)
    if invitation.accepted_at is not None:
        _settle_waiting(invitation)
    invitation.delete()


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
    # Each app's own step (rows keyed by a pseudonym, say); foreign keys do the rest.
    registry.erase_steps(person)
    person.delete()


@transaction.atomic
def erase_organisation(*, organisation: Organisation) -> None:
    """Erase an organisation and everyone in it (the demo's reset): every data key first, as
    erase_person does, then one cascade for all the rows, which is much faster than erasing
    people one by one."""
    destroy_data_keys_in(organisation.pk)
    for person in Person.objects.filter(organisation=organisation).only("pk", "organisation"):
        registry.erase_steps(person)
    organisation.delete()


def record_settings_change(
    *, organisation: Organisation, actor: Person, setting: StrOrPromise
) -> None:
    """Write the audit row for one changed setting. The value is never recorded.

    The setting is kept as its English label (pass the lazy label, or an English text marked
    with gettext_noop); the settings page translates it for whoever reads the trail."""
    with translation.override("en"):
        text = str(setting)
    SettingsChange.objects.create(organisation=organisation, changed_by=actor, setting=text)


@transaction.atomic
def save_organisation_settings(
    *, organisation: Organisation, actor: Person, changed: list[StrOrPromise]
) -> None:
    """Save a settings form's instance and audit each field that changed, by its label."""
    organisation.save()
    for setting in changed:
        record_settings_change(organisation=organisation, actor=actor, setting=setting)
