"""Organisations (tenants), people, roles, community groups and invitations."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy, pgettext_lazy

from bridgework.lib.cadence import zone_or_utc
from bridgework.lib.prepared import prepared

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import RelatedManager


class Organisation(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    is_demo = models.BooleanField(default=False)
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        help_text="Where most of the organisation works; empty means the server's zone.",
    )
    default_language = models.CharField(max_length=10, default="en")
    email_domains = models.JSONField(
        default=list,
        blank=True,
        help_text="The domains of the organisation's work addresses, such as example.com.",
    )

    def __str__(self) -> str:
        return self.name

    @property
    def usual_time_zone(self) -> str:
        return self.time_zone or settings.TIME_ZONE

    @property
    def clock(self) -> ZoneInfo:
        """The zone the organisation's own calendar runs in: a safety pulse opens and closes,
        and an insights month ends, at midnight here for everyone, wherever each person
        reads their pages."""
        return zone_or_utc(self.usual_time_zone)

    def today(self) -> date:
        return timezone.now().astimezone(self.clock).date()

    def domains_of_others(self) -> set[str]:
        """The e-mail domains other organisations have claimed (a domain has one owner)."""
        others = Organisation.objects.exclude(pk=self.pk).exclude(email_domains=[])
        return {
            domain
            for domains in others.values_list("email_domains", flat=True)
            for domain in domains
        }

    @staticmethod
    def unique_slug_for(name: str) -> str:
        base = slugify(name)[:50] or "organisation"
        slug, number = base, 2
        while Organisation.objects.filter(slug=slug).exists():
            slug, number = f"{base}-{number}", number + 1
        return slug


# The signed-in person's organisation's default language, for the length of a request: text
# without a translation in the person's language is shown in it, if it has one.
organisation_language: ContextVar[str | None] = ContextVar("organisation_language", default=None)


def usual_language(chosen: str, organisation: Organisation | None) -> str:
    """A person's own choice, else their organisation's default, else the site's: always
    one of the languages the interface is translated into."""
    offered = {code for code, _name in settings.LANGUAGES}
    for candidate in (chosen, organisation.default_language if organisation else ""):
        if candidate in offered:
            return candidate
    return str(settings.LANGUAGE_CODE)


class Role(models.TextChoices):
    PARTICIPANT = "participant", gettext_lazy("Participant")
    FACILITATOR = "facilitator", pgettext_lazy("role", "Facilitator")
    PROGRAM_ADMIN = "program_admin", gettext_lazy("Program admin")


class PersonManager(BaseUserManager["Person"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> Person:
        person = self.model(email=self.normalize_email(email).lower(), **extra)
        person.set_password(password)
        person.full_clean(exclude=["password"])
        person.save(using=self._db)
        return person

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> Person:
        """A platform operator for Django's admin site; belongs to no organisation."""
        extra.update(is_staff=True, is_superuser=True)
        extra.setdefault("chosen_name", "Operator")
        return self.create_user(email, password, **extra)

    def in_organisation(self, organisation: Organisation) -> models.QuerySet[Person]:
        return self.filter(organisation=organisation)

    def other_facilitators(self, person: Person) -> models.QuerySet[Person]:
        """Active facilitators of the person's organisation besides them: the people who can
        vet what they suggest."""
        return self.filter(
            organisation=person.organisation,
            is_active=True,
            role_assignments__role=Role.FACILITATOR,
        ).exclude(pk=person.pk)


class Person(AbstractBaseUser, PermissionsMixin):
    """Someone who signs in. Identity data is never required and never drives access."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people", null=True, blank=True
    )
    email = models.EmailField(gettext_lazy("e-mail address"), unique=True)
    chosen_name = models.CharField(
        gettext_lazy("name"),
        max_length=80,
        help_text=gettext_lazy("The name you want others to see."),
    )
    pronouns = models.CharField(
        max_length=40,
        blank=True,
        help_text=gettext_lazy("Optional, for example she/her, he/him, they/them."),
    )
    language = models.CharField(
        max_length=10, blank=True, help_text="Blank: the organisation's default language."
    )
    # Read with the person on every request, like the language, so every page can show
    # times in it without a query.
    time_zone = models.CharField(
        max_length=64, blank=True, help_text="Blank: the organisation's usual time zone."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # The address at the person's last sign-in, or, until they first sign in, the address the
    # account was made for. Provisioning (SCIM) may change `email`; what confirms a new way
    # into the account goes here, where the person still reads it, not to an address set since.
    signed_in_email = models.EmailField(blank=True, editable=False)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["chosen_name"]

    if TYPE_CHECKING:
        role_assignments: RelatedManager[RoleAssignment]

    class Meta:
        verbose_name = "person"
        verbose_name_plural = "people"
        ordering = [Lower("chosen_name")]
        indexes = [
            # The people page lists an organisation by name, a page at a time; the admin's
            # home counts it by status. Without these both read every person.
            models.Index(fields=["organisation", "chosen_name", "id"], name="person_org_name"),
            models.Index(fields=["organisation", "is_active"], name="person_org_active"),
        ]

    def __str__(self) -> str:
        return self.chosen_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and not self.signed_in_email:
            self.signed_in_email = self.email
        super().save(*args, **kwargs)

    @property
    def preferred_language(self) -> str:
        """The language pages, e-mails and reminders reach this person in."""
        return usual_language(self.language, self.organisation)

    @property
    def usual_time_zone(self) -> str:
        """The zone this person's pages, reminders and invites show times in."""
        if self.time_zone:
            return self.time_zone
        return self.organisation.usual_time_zone if self.organisation else settings.TIME_ZONE

    def get_full_name(self) -> str:
        return self.chosen_name

    def get_short_name(self) -> str:
        return self.chosen_name

    @property
    def display_name(self) -> str:
        return f"{self.chosen_name} ({self.pronouns})" if self.pronouns else self.chosen_name

    def role_set(self) -> frozenset[str]:
        """The person's roles, read once per object (a page asks this many times)."""
        cached: frozenset[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def remember_roles(self, roles: Iterable[str]) -> None:
        """Roles read together with the person (see accounts.backends): role_set() asks no
        query."""
        self._role_cache = frozenset(roles)

    @classmethod
    def reader(
        cls, *, person_id: int, organisation_id: int, roles: Iterable[str], active: bool
    ) -> Person:
        """An unsaved stand-in for a person: what the visibility filters read of them (id,
        organisation, roles, whether active), for building a prepared query
        (bridgework/lib/prepared.py). Never saved."""
        stand_in = cls(pk=person_id, organisation_id=organisation_id, is_active=active)
        stand_in.remember_roles(roles)
        return stand_in

    def has_role(self, role: str) -> bool:
        return role in self.role_set()

    @property
    def is_participant(self) -> bool:
        return self.has_role(Role.PARTICIPANT)

    @property
    def is_facilitator(self) -> bool:
        return self.has_role(Role.FACILITATOR)

    @property
    def is_program_admin(self) -> bool:
        return self.has_role(Role.PROGRAM_ADMIN)

    def set_roles(self, roles: set[str]) -> None:
        self.role_assignments.exclude(role__in=roles).delete()
        for role in roles - set(self.role_assignments.values_list("role", flat=True)):
            RoleAssignment.objects.create(person=self, role=role)
        self._role_cache = frozenset(roles)

    def deactivate(self) -> None:
        """Every way of deactivating someone (an admin, SCIM) comes through here, so each app
        revokes what it must (a calendar address, say) whichever way it happened."""
        from . import registry
        from .sessions import end_sessions

        with transaction.atomic():
            self.is_active = False
            self.deactivated_at = timezone.now()
            self.save(update_fields=["is_active", "deactivated_at"])
            registry.person_deactivated(self)
        end_sessions(self)

    def reactivate(self) -> None:
        self.is_active = True
        self.deactivated_at = None
        self.save(update_fields=["is_active", "deactivated_at"])


class RoleAssignment(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role"], name="one_assignment_per_role")
        ]
        # "Who are the program admins" is asked on pages (a session pulse's readers): the
        # unique constraint's index leads with the person and cannot answer it.
        indexes = [models.Index(fields=["role", "person"], name="roleassignment_by_role")]

    def __str__(self) -> str:
        return f"{self.person} as {self.get_role_display()}"


class CommunityGroupQuerySet(models.QuerySet["CommunityGroup"]):
    def in_organisation(self, organisation: Organisation | None) -> CommunityGroupQuerySet:
        return self.filter(organisation=organisation)

    def led_by(self, person: Person) -> CommunityGroupQuerySet:
        return self.filter(
            pk__in=GroupMembership.objects.filter(person=person, is_lead=True).values("group_id")
        )


class CommunityGroup(models.Model):
    """An employee resource group. Membership is chosen, never inferred from identity data."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="community_groups"
    )
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    open_to_join = models.BooleanField(
        default=True,
        help_text=gettext_lazy(
            "People can join themselves. Otherwise they join by accepting an invitation."
        ),
    )
    members = models.ManyToManyField(
        Person, through="GroupMembership", related_name="community_groups"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CommunityGroupQuerySet.as_manager()

    class Meta:
        ordering = [Lower("name")]
        constraints = [
            models.UniqueConstraint(
                "organisation", Lower("name"), name="unique_group_name_per_organisation"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_led_by(self, person: Person) -> bool:
        return GroupMembership.objects.filter(group=self, person=person, is_lead=True).exists()


class GroupMembership(models.Model):
    """Someone in a community group, because they joined an open group or accepted an
    invitation. Only the person themself and the group's leads may learn that it exists."""

    class AddedBy(models.TextChoices):
        SELF = "self", gettext_lazy("Joined themselves")
        INVITATION = "invitation", gettext_lazy("Accepted an invitation")
        # Memberships made before invitations existed, when an admin could add people.
        ADMIN = "admin", gettext_lazy("Added by a program admin")

    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE)
    person = models.ForeignKey(Person, on_delete=models.CASCADE)
    added_by = models.CharField(max_length=10, choices=AddedBy.choices)
    is_lead = models.BooleanField(
        default=False, help_text="Leads see the group's members and hear of new ones."
    )
    joined_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="one_membership_per_group")
        ]

    def __str__(self) -> str:
        return f"Membership {self.pk} of group {self.group_id}"


class GroupInvitationQuerySet(models.QuerySet["GroupInvitation"]):
    def for_person(self, person: Person) -> GroupInvitationQuerySet:
        """The person's own unanswered invitations, in their organisation's groups."""
        return (
            self.filter(person=person, group__organisation=person.organisation_id)
            .select_related("group")
            .order_by("created_at", "pk")
        )

    def waiting_in(self, group: CommunityGroup) -> GroupInvitationQuerySet:
        """Accepted invitations into the group, waiting for one of its leads to let them in."""
        return self.filter(group=group, accepted_at__isnull=False, person__is_active=True)


class GroupInvitation(models.Model):
    """An invitation into a community group. It makes nobody a member: only the invited
    person's acceptance does, and, in a group that has leads, one of them letting the person
    in (a program admin could otherwise bring an account of their own into a closed group).
    Answering deletes it, so nothing keeps who said no, and the person who invited is never
    told the answer."""

    group = models.ForeignKey(CommunityGroup, on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="group_invitations")
    as_lead = models.BooleanField(default=False)
    invited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the person accepted and the group's leads were asked to let them in.
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = GroupInvitationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "person"], name="one_group_invitation")
        ]

    def __str__(self) -> str:
        return f"Group invitation {self.pk}"


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending(self, now: datetime | None = None) -> InvitationQuerySet:
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True).filter(
            expires_at__gt=now or timezone.now()
        )


class Invitation(models.Model):
    """An invitation to join an organisation. Only a hash of the token is stored."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField("e-mail address")
    chosen_name = models.CharField("name", max_length=80, blank=True)
    roles = models.JSONField(default=list)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="invitations_sent"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    @property
    def role_labels(self) -> list[str]:
        """The roles it gives, as their labels in the active language."""
        known = {value: str(label) for value, label in Role.choices}
        return [known.get(role, role) for role in self.roles] or [known[Role.PARTICIPANT]]

    @classmethod
    def build(
        cls,
        *,
        organisation: Organisation,
        email: str,
        chosen_name: str,
        roles: list[str],
        invited_by: Person | None,
    ) -> tuple[Invitation, str]:
        """A new unsaved invitation and its one-time token (shown once, in the e-mail)."""
        token = secrets.token_urlsafe(32)
        invitation = cls(
            organisation=organisation,
            email=email.lower(),
            chosen_name=chosen_name,
            roles=sorted(roles),
            token_hash=_hash_token(token),
            invited_by=invited_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, token

    def issue_token(self) -> str:
        """A fresh one-time token; only its hash is kept, so a new e-mail needs a new token."""
        token = secrets.token_urlsafe(32)
        self.token_hash = _hash_token(token)
        self.save(update_fields=["token_hash"])
        return token

    @classmethod
    def find_pending(cls, token: str) -> Invitation | None:
        if not token.isascii():
            return None  # tokens are URL-safe base64; anything else was never issued
        return cls.objects.pending().filter(token_hash=_hash_token(token)).first()

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class DataKey(models.Model):
    """A person's own data key, stored only wrapped by a master key from the data directory.

    Deleting this row (erasure) makes every ciphertext made with it unreadable, wherever a
    copy of that ciphertext lives.
    """

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="data_key")
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Data key {self.pk}"


from .encryption import EncryptedTextField  # noqa: E402  (needs DataKey and Person above)


class PrivateProfile(models.Model):
    """What a person writes for themselves about why they are here. Only they can read it."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="private_profile")
    intention = EncryptedTextField(blank=True, null=True, owner="person")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Private profile of person {self.person_id}"


class SettingsChange(models.Model):
    """One change to an organisation's settings: who made it, when, and which setting.
    Never the value, so a secret typed into the settings never reaches the trail."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="settings_changes"
    )
    changed_by = models.ForeignKey(Person, null=True, on_delete=models.SET_NULL, related_name="+")
    setting = models.CharField(max_length=80)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["organisation", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.setting} changed at {self.changed_at:%Y-%m-%d %H:%M}"


# --- Home's questions, asked on every visit (bridgework/lib/prepared.py) ------------------


@prepared
def groups_of(*, person_id: int) -> models.QuerySet[CommunityGroup]:
    return CommunityGroup.objects.filter(members=person_id).order_by("name")


@prepared
def group_invitations_of(*, person_id: int, organisation_id: int) -> GroupInvitationQuerySet:
    return GroupInvitation.objects.for_person(Person(pk=person_id, organisation_id=organisation_id))


@prepared
def pending_invitations_in(*, organisation_id: int, now: datetime) -> InvitationQuerySet:
    return Invitation.objects.pending(now).filter(organisation_id=organisation_id)


@prepared
def groups_in(*, organisation_id: int) -> CommunityGroupQuerySet:
    return CommunityGroup.objects.filter(organisation_id=organisation_id)


class PeopleCount(models.Model):
    """An organisation's people, counted by the worker (`accounts.people_count`): the program
    admin's home reads these totals instead of counting every person on a request."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    active = models.PositiveIntegerField(default=0)
    deactivated = models.PositiveIntegerField(default=0)
    # Active people by role: {"participant": 12, ...}; a role nobody has is left out.
    by_role = models.JSONField(default=dict)
    counted_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"People of organisation {self.organisation_id}"
