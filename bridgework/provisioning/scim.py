"""SCIM 2.0 for one organisation: scim2-server speaks the protocol (parsing, PATCH, paging,
errors, discovery) and this storage maps its resources onto people and roles.

Only an e-mail address (userName) and a name are taken from the identity provider. The
other attributes of the User schema are accepted and dropped, so that an identity provider's
default mappings work, but nothing about who a person is gets stored. Groups are the two
roles that an organisation hands out, never its community groups or cohorts.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from pydantic import ValidationError as PydanticValidationError
from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    Email,
    ETag,
    External,
    Filter,
    Group,
    GroupMember,
    InvalidFilterException,
    InvalidValueException,
    Meta,
    MutabilityException,
    Name,
    NotFoundException,
    NotImplementedException,
    Pagination,
    Patch,
    PreconditionFailedException,
    Reference,
    Resource,
    ResourceType,
    ResponseParameters,
    ScimPolicy,
    ScimProvider,
    SearchRequest,
    ServiceProviderConfig,
    Sort,
    UniquenessException,
    User,
)
from scim2_models.path.expressions import CompareOperator, Comparison
from scim2_server.storage import ScimStorage, SearchPage

from bridgework.accounts.models import Organisation, Person, Role, RoleAssignment
from bridgework.accounts.services import create_person
from bridgework.jobs import outbox
from bridgework.sso.api import signs_in_through_the_provider

from .models import ExternalIdentity

logger = logging.getLogger(__name__)

# The most resources one page holds, whatever `count` asks for.
MAX_PAGE_SIZE = 200
EXTERNAL_ID_LENGTH = ExternalIdentity._meta.get_field("external_id").max_length or 255
NAME_LENGTH = Person._meta.get_field("chosen_name").max_length or 80


@dataclass(frozen=True)
class RoleGroup:
    id: str
    display_name: str
    role: Role


ROLE_GROUPS = {
    group.id: group
    for group in (
        RoleGroup("facilitators", "Facilitators", Role.FACILITATOR),
        RoleGroup("program-admins", "Program admins", Role.PROGRAM_ADMIN),
    )
}

CONFIG = ServiceProviderConfig(
    patch=Patch(supported=True),
    bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
    filter=Filter(supported=True, max_results=MAX_PAGE_SIZE),
    change_password=ChangePassword(supported=False),
    sort=Sort(supported=False),
    etag=ETag(supported=False),
    pagination=Pagination(
        cursor=False, index=True, default_page_size=100, max_page_size=MAX_PAGE_SIZE
    ),
    authentication_schemes=[
        AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken,
            name="Bearer token",
            description="A provisioning token made in the organisation's settings.",
            spec_uri=Reference[External]("https://www.rfc-editor.org/rfc/rfc6750"),
            primary=True,
        )
    ],
)
PROVIDER = ScimProvider(
    models=[User[Any], Group],
    config=CONFIG,
    # Microsoft Entra ID removes a group member with a value rather than a path filter, and
    # replaces `emails[type eq "work"].value` even when there is no such address yet.
    policy=ScimPolicy(
        remove_value_as_filter=ScimPolicy.RemoveValue.apply,
        unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create,
    ),
)


def _versioned[R: Resource[Any]](resource: R) -> R:
    """Give a resource a weak version that changes whenever what it shows changes."""
    content = json.dumps(resource.model_dump(mode="json"), sort_keys=True)
    assert resource.meta is not None
    resource.meta.version = f'W/"{hashlib.sha256(content.encode()).hexdigest()[:16]}"'
    return resource


def _emails_of(person: Person) -> list[Email] | None:
    try:
        return [Email(value=person.email, primary=True, type=Email.Type.work)]
    except PydanticValidationError:
        # Django accepted an address that SCIM's stricter check refuses (a reserved domain
        # such as .test); userName still carries it.
        return None


def _external_id_of(person: Person) -> str | None:
    try:
        return person.scim_identity.external_id
    except ExternalIdentity.DoesNotExist:
        return None


def _keep_external_id(person: Person, user: User[Any]) -> None:
    """Store the identity provider's identifier for the person (replacing or clearing the
    one kept), so it comes back in every answer about them."""
    external_id = (user.external_id or "").strip()
    if len(external_id) > EXTERNAL_ID_LENGTH:
        raise InvalidValueException(detail="externalId is too long.")
    if not external_id:
        ExternalIdentity.objects.filter(person=person).delete()
        person.scim_identity = None  # forgets the cached row
        return
    identity, _ = ExternalIdentity.objects.update_or_create(
        person=person, defaults={"external_id": external_id}
    )
    person.scim_identity = identity


def user_of(person: Person) -> User[Any]:
    return _versioned(
        User(
            id=str(person.pk),
            external_id=_external_id_of(person),
            user_name=person.email,
            display_name=person.chosen_name,
            name=Name(formatted=person.chosen_name),
            emails=_emails_of(person),
            active=person.is_active,
            meta=Meta(
                resource_type="User",
                created=person.date_joined,
                last_modified=person.deactivated_at or person.date_joined,
            ),
        )
    )


def _name_from(user: User[Any], current: str) -> str:
    """The name the identity provider gives, as the person's chosen name. A resource holds
    it in several places; the first that differs from the current name is the change."""
    parts = (user.name.given_name, user.name.family_name) if user.name else ()
    given = " ".join(part.strip() for part in parts if part and part.strip())
    for candidate in (user.name.formatted if user.name else None, given, user.display_name):
        if candidate and candidate.strip() and candidate.strip() != current:
            return candidate.strip()[:NAME_LENGTH]
    return current


def _email_from(user: User[Any]) -> str:
    email = (user.user_name or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidValueException(detail="userName must be an e-mail address.") from None
    return email


def _not_ours_to_provision() -> InvalidValueException:
    """The one refusal for an address that cannot be given to anyone in this organisation,
    the same whichever reason applies (see `_check_address_is_free_here`)."""
    return InvalidValueException(
        detail=gettext(
            "This address cannot be provisioned in this organisation: it is in another "
            "organisation's e-mail domain, or in use outside this organisation."
        )
    )


def _equals_filter(search_request: SearchRequest[Any], attribute: str) -> str | None:
    """The value of the one filter this server evaluates, `<attribute> eq "value"`, or None
    without a filter. Filters go into the ORM as values, never as SQL text."""
    if search_request.filter is None:
        return None
    node = search_request.filter.ast
    if (
        isinstance(node, Comparison)
        and node.op == CompareOperator.eq
        and node.attr_path.attr.casefold() == attribute.casefold()
        and node.attr_path.sub_attr is None
        and isinstance(node.value, str)
    ):
        return node.value
    raise InvalidFilterException(detail=f'Only the filter {attribute} eq "value" is supported.')


def _excludes_members(response_parameters: ResponseParameters[Any] | None) -> bool:
    if response_parameters is None:
        return False
    excluded = {str(path).casefold() for path in response_parameters.excluded_attributes or []}
    wanted = {str(path).casefold() for path in response_parameters.attributes or []}
    return "members" in excluded or bool(wanted and "members" not in wanted)


def _resettable(person: Person) -> bool:
    """Whether "Forgot your password?" at the person's address could sign someone in as
    them: a password account; or one in use that has none while the organisation has no
    identity provider (sso.forms.ResetPasswordForm then lets it set one, to get back in).
    Anyone else's address may follow the provider's: a reset link never goes to an address
    moved since its owner last signed in, or since the account was made for them
    (`sso.backends.address_moved_since_last_sign_in`). The answer is the same whatever the
    account holds, so it tells the token's holder nothing more about the person."""
    return person.has_usable_password() or (
        person.last_login is not None and not signs_in_through_the_provider(person)
    )


def _tell_the_old_address(person: Person, *, new: str) -> None:
    """Reminders and notices follow the new address from now on: the old one hears of it,
    so whoever moved it to an inbox of their own is not the only one who knows."""
    with translation.override(person.preferred_language):
        subject = gettext("Your Bridgework address was changed")
        body = render_to_string(
            "provisioning/email/address_changed.txt", {"person": person, "new": new}
        )
    key = f"scim-address:{person.pk}:{timezone.now().isoformat()}"
    email = outbox.queue(key=key, to=person.email, subject=subject, body=body)
    transaction.on_commit(lambda: outbox.send(email))


class OrganisationStorage(ScimStorage):
    """The people and role groups of one organisation, as scim2-server reads and writes
    them. Whatever is asked, nothing outside the organisation is ever found."""

    def __init__(self, organisation: Organisation) -> None:
        self.organisation = organisation

    # -- Users ----------------------------------------------------------------------------

    def _people(self) -> QuerySet[Person]:
        return Person.objects.in_organisation(self.organisation).select_related("scim_identity")

    def _person(self, resource_id: str) -> Person:
        person = (
            self._people().filter(pk=int(resource_id)).first() if resource_id.isdigit() else None
        )
        if person is None:
            raise NotFoundException(detail="No such user.")
        return person

    def _check_address_is_free_here(self, email: str, *, besides: Person | None = None) -> None:
        """Addresses are unique across the instance, so one held anywhere cannot be given
        to someone here. Only a clash with the organisation's own people is said to be one
        (identity providers then find and link the person they have). Any other refusal is
        one answer, whatever its reason: an address in a domain another organisation has
        claimed (refused for its domain, before anyone's account is looked for), or one
        with an account in another organisation. Whether someone has an account elsewhere
        is not this organisation's to learn."""
        if email.rpartition("@")[2] in self.organisation.domains_of_others():
            raise _not_ours_to_provision()
        holders = Person.objects.filter(email__iexact=email)
        if besides is not None:
            holders = holders.exclude(pk=besides.pk)
        holder = holders.only("organisation_id").first()
        if holder is None:
            return
        if holder.organisation_id != self.organisation.pk:
            raise _not_ours_to_provision()
        raise UniquenessException(detail="This userName is already taken.")

    def _create_user(self, user: User[Any]) -> User[Any]:
        email = _email_from(user)
        self._check_address_is_free_here(email)
        try:
            with transaction.atomic():
                person = create_person(
                    organisation=self.organisation,
                    email=email,
                    chosen_name=_name_from(user, "") or email.split("@")[0][:NAME_LENGTH],
                    password=None,
                    roles={Role.PARTICIPANT},
                )
                _keep_external_id(person, user)
        except (IntegrityError, ValidationError) as error:
            # The address given to someone meanwhile, here or elsewhere (the model's own
            # check or the database's uniqueness stops it): refused as if they had had it
            # before, so the race says no more than the check above.
            self._check_address_is_free_here(email)
            if isinstance(error, ValidationError):
                raise InvalidValueException(detail=" ".join(error.messages)) from None
            raise UniquenessException(detail="This userName is already taken.") from None
        if user.active is False:
            person.deactivate()
        return user_of(person)

    def _update_user(self, user: User[Any], expected_version: str | None) -> User[Any]:
        person = self._person(str(user.id))
        self._check_version(user_of(person), expected_version)
        email = _email_from(user)
        if email != person.email and _resettable(person):
            # Whoever holds the token could otherwise point the account at an address of
            # theirs and have "Forgot your password?" send them a way in: that address stays
            # the person's. The rest of the update (a deactivation above all) still applies,
            # and the answer shows the address as it is.
            logger.warning("scim: address of person %s kept: a reset would reach it", person.pk)
            email = person.email
        moved = email != person.email
        if moved:
            self._check_address_is_free_here(email, besides=person)
        old = person.email
        try:
            # A savepoint: should the address be taken meanwhile, the move is undone whole
            # (the sign-in address, the word to the old address) and the request can still
            # look again.
            with transaction.atomic():
                if moved:
                    EmailAddress.objects.filter(user=person, email__iexact=old).update(email=email)
                    if person.last_login is not None:
                        _tell_the_old_address(person, new=email)
                    person.email = email
                person.chosen_name = _name_from(user, person.chosen_name)
                person.save(update_fields=["email", "chosen_name"])
        except IntegrityError:
            # Given to someone by another request since the check above (the account's or
            # the sign-in address's uniqueness stops it): refused as if it had been taken
            # before, so the race says no more than the check does.
            person.email = old
            self._check_address_is_free_here(email, besides=person)
            raise UniquenessException(detail="This userName is already taken.") from None
        _keep_external_id(person, user)
        if user.active is False and person.is_active:
            person.deactivate()
        elif user.active is True and not person.is_active:
            person.reactivate()
        return user_of(person)

    def _search_users(self, search_request: SearchRequest[Any]) -> SearchPage:
        people = self._people().order_by("pk")
        user_name = _equals_filter(search_request, "userName")
        if user_name is not None:
            people = people.filter(email__iexact=user_name)
        start = search_request.start_index_0 or 0
        count = MAX_PAGE_SIZE if search_request.count is None else search_request.count
        page = list(people[start : start + count]) if count else []
        return SearchPage(total=people.count(), resources=[user_of(p) for p in page])

    # -- Groups ---------------------------------------------------------------------------

    def _role_group(self, resource_id: str) -> RoleGroup:
        if resource_id not in ROLE_GROUPS:
            raise NotFoundException(detail="No such group.")
        return ROLE_GROUPS[resource_id]

    def _groups_of(self, groups: Iterable[RoleGroup], *, with_members: bool) -> list[Group]:
        groups = list(groups)
        members: dict[str, list[GroupMember]] = {group.role: [] for group in groups}
        if with_members:
            assignments = (
                RoleAssignment.objects.filter(
                    person__organisation=self.organisation, role__in=list(members)
                )
                .select_related("person")
                .order_by("person_id")
            )
            for assignment in assignments:
                members[assignment.role].append(
                    GroupMember(
                        value=str(assignment.person_id),
                        display=assignment.person.chosen_name,
                        type="User",
                        ref=None,
                    )
                )
        return [
            _versioned(
                Group(
                    id=group.id,
                    display_name=group.display_name,
                    members=members[group.role] if with_members else None,
                    meta=Meta(
                        resource_type="Group",
                        created=self.organisation.created_at,
                        last_modified=self.organisation.created_at,
                    ),
                )
            )
            for group in groups
        ]

    def _update_group(self, group: Group, expected_version: str | None) -> Group:
        role_group = self._role_group(str(group.id))
        current = self._groups_of([role_group], with_members=True)[0]
        self._check_version(current, expected_version)
        if (group.display_name or "").casefold() != role_group.display_name.casefold():
            raise MutabilityException(detail="The role groups keep their names.")
        wanted = {str(member.value) for member in group.members or []}
        people = self._people().filter(pk__in=[int(v) for v in wanted if v.isdigit()])
        found = {str(pk): active for pk, active in people.values_list("pk", "is_active")}
        if set(found) != wanted:
            raise InvalidValueException(detail="A member is not a user of this organisation.")
        if role_group.role == Role.PROGRAM_ADMIN and not any(found.values()):
            raise InvalidValueException(
                detail="The organisation would have no active program admin left."
            )
        holders = RoleAssignment.objects.filter(
            role=role_group.role, person__organisation=self.organisation
        )
        holders.exclude(person_id__in=[int(pk) for pk in found]).delete()
        already = {str(pk) for pk in holders.values_list("person_id", flat=True)}
        RoleAssignment.objects.bulk_create(
            RoleAssignment(person_id=int(pk), role=role_group.role) for pk in wanted - already
        )
        return self._groups_of([role_group], with_members=True)[0]

    def _search_groups(self, search_request: SearchRequest[Any]) -> SearchPage:
        display_name = _equals_filter(search_request, "displayName")
        groups = [
            group
            for group in ROLE_GROUPS.values()
            if display_name is None or group.display_name.casefold() == display_name.casefold()
        ]
        start = search_request.start_index_0 or 0
        count = MAX_PAGE_SIZE if search_request.count is None else search_request.count
        page = groups[start : start + count]
        return SearchPage(
            total=len(groups), resources=list(self._groups_of(page, with_members=True))
        )

    # -- What scim2-server calls ----------------------------------------------------------

    @staticmethod
    def _check_version(current: Resource[Any], expected_version: str | None) -> None:
        assert current.meta is not None
        if expected_version is not None and current.meta.version != expected_version:
            raise PreconditionFailedException(detail="The resource has changed meanwhile.")

    def get(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        response_parameters: ResponseParameters[Any] | None = None,
    ) -> Resource[Any]:
        if resource_type.name == "User":
            return user_of(self._person(resource_id))
        group = self._role_group(resource_id)
        return self._groups_of([group], with_members=not _excludes_members(response_parameters))[0]

    def search(
        self,
        resource_types: list[ResourceType],
        search_request: SearchRequest[Any],
        *,
        position: Any = None,
    ) -> SearchPage:
        if len(resource_types) != 1:
            raise NotImplementedException(detail="Search Users or Groups, one at a time.")
        if resource_types[0].name == "User":
            return self._search_users(search_request)
        return self._search_groups(search_request)

    def create(self, resource_type: ResourceType, resource: Resource[Any]) -> Resource[Any]:
        if isinstance(resource, User):
            return self._create_user(resource)
        assert isinstance(resource, Group)
        if any(
            group.display_name.casefold() == (resource.display_name or "").casefold()
            for group in ROLE_GROUPS.values()
        ):
            raise UniquenessException(detail="This role group exists; search it by displayName.")
        raise InvalidValueException(
            detail="Only the role groups Facilitators and Program admins exist here."
        )

    def update(
        self,
        resource_type: ResourceType,
        resource: Resource[Any],
        *,
        expected_version: str | None = None,
    ) -> Resource[Any]:
        if isinstance(resource, User):
            return self._update_user(resource, expected_version)
        assert isinstance(resource, Group)
        return self._update_group(resource, expected_version)

    def delete(
        self,
        resource_type: ResourceType,
        resource_id: str,
        *,
        expected_version: str | None = None,
    ) -> None:
        if resource_type.name == "User":
            # Deleting someone at the identity provider deactivates them here: what they
            # wrote stays theirs until they, or the organisation's policy, erase it.
            person = self._person(resource_id)
            if person.is_active:
                person.deactivate()
            return
        self._role_group(resource_id)
        raise MutabilityException(detail="The role groups cannot be deleted.")
