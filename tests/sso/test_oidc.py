"""Signing in through an organisation's OpenID Connect provider: a real provider on
loopback, our side doing discovery, the redirects, the token exchange and the ID token's
signature check."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from bridgework.accounts.models import (
    CommunityGroup,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Organisation,
    Person,
    Role,
)
from bridgework.sso import services
from bridgework.sso.models import IdentityProvider

from ..conftest import invite
from ..page_support import without_per_request_values
from .oidc_provider import OIDCProvider, Someone
from .support import CALLBACK, connect_oidc, sign_in_through

pytestmark = pytest.mark.django_db


def signed_in_as(client: Client) -> Person | None:
    person_id = client.session.get(SESSION_KEY)
    return Person.objects.get(pk=person_id) if person_id else None


def test_an_existing_person_signs_in_through_the_provider(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    client = Client()
    answer = sign_in_through(client, idp, Someone(email="pat@acme.test", name="Pat"))
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert signed_in_as(client) == participant


def test_the_same_subject_signs_in_again_into_the_same_account(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    someone = Someone(email="pat@acme.test", name="Pat")
    sign_in_through(Client(), idp, someone)
    again = Client()
    sign_in_through(again, idp, someone)
    assert signed_in_as(again) == participant


def test_an_account_in_use_hears_by_e_mail_when_it_first_signs_in_through_the_provider(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Whoever runs the sign-in settings could connect a provider of their own and sign in
    as anyone: the person hears of it, at the address they alone change."""
    connect_oidc(organisation, idp)
    someone = Someone(email="pat@acme.test", name="Pat")
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, someone)
    [told] = mailoutbox
    assert told.to == ["pat@acme.test"]
    assert told.subject == "Your Bridgework account now signs in through Acme Login"
    assert "may have signed in as you" in told.body

    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, someone)
    assert len(mailoutbox) == 1, "once, when the sign-in is first linked"


def test_pointing_the_settings_at_another_provider_unlinks_everyone(
    organisation: Organisation,
    participant: Person,
    program_admin: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A provider of one's own could claim a subject already linked: after a change of
    provider, each person's next sign-in is a first link again, which they hear of."""
    provider = connect_oidc(organisation, idp)
    someone = Someone(email="pat@acme.test", name="Pat")
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, someone)
    assert SocialAccount.objects.filter(user=participant).exists()

    provider.display_name = "Renamed"  # not a change of provider: links stay
    services.save_identity_provider(
        provider=provider, actor=program_admin, new_secret="", changed=[]
    )
    assert SocialAccount.objects.filter(user=participant).exists()

    other = idp.register_client(CALLBACK)
    provider.oidc_client_id = other.client_id
    services.save_identity_provider(
        provider=provider, actor=program_admin, new_secret=other.client_secret, changed=[]
    )
    assert not SocialAccount.objects.filter(user=participant).exists()
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, someone)
    assert len(mailoutbox) == 2, "the first link after the change is told again"


def confirmation_path(message: Any) -> str:
    match = re.search(r"http://[^/\s]+(/sso/link/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_a_first_sign_in_into_an_account_used_before_waits_for_its_owner(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Whoever runs the sign-in settings could connect a provider of their own and claim
    anyone's address: an account someone has signed in to before is reached through the
    provider only once its owner confirms from their inbox."""
    Person.objects.filter(pk=participant.pk).update(last_login=timezone.now())
    connect_oidc(organisation, idp)
    someone = Someone(email="pat@acme.test", name="Pat")
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_in_through(client, idp, someone)

    assert answer.status_code == 200 and "Check your inbox" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.filter(user=participant).exists()
    [asked] = mailoutbox
    assert asked.to == ["pat@acme.test"]
    assert asked.subject == "Confirm signing in to Bridgework through Acme Login"
    path = confirmation_path(asked)

    page = Client().get(path)  # as a mail scanner would: nothing happens
    assert "It was me: confirm" in page.content.decode()
    assert not SocialAccount.objects.filter(user=participant).exists()
    confirmed = Client().post(path)
    assert "now signs in through" in confirmed.content.decode()
    assert SocialAccount.objects.filter(user=participant).exists()
    assert Client().post(path).status_code == 404, "a link confirms once"

    again = Client()
    sign_in_through(again, idp, someone)
    assert signed_in_as(again) == participant


def test_an_account_in_a_community_group_waits_for_its_owner_even_if_never_signed_in_to(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Its membership opens the group's members and protected space: a provider of one's
    own must not reach them without the owner's word."""
    group = CommunityGroup.objects.create(organisation=organisation, name="Parents")
    GroupMembership.objects.create(group=group, person=participant)
    connect_oidc(organisation, idp)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_in_through(client, idp, Someone(email="pat@acme.test", name="Pat"))

    assert "Check your inbox" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.filter(user=participant).exists()
    [asked] = mailoutbox
    assert asked.subject == "Confirm signing in to Bridgework through Acme Login"
    assert asked.to == ["pat@acme.test"]


def test_an_account_invited_into_a_community_group_waits_for_its_owner_too(
    organisation: Organisation,
    participant: Person,
    program_admin: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Whoever accepted the invitation in their name would be let in by a lead who sees the
    colleague's name."""
    group = CommunityGroup.objects.create(organisation=organisation, name="Parents")
    GroupInvitation.objects.create(group=group, person=participant, invited_by=program_admin)
    connect_oidc(organisation, idp)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_in_through(client, idp, Someone(email="pat@acme.test", name="Pat"))

    assert "Check your inbox" in answer.content.decode()
    assert signed_in_as(client) is None
    [asked] = mailoutbox
    assert asked.to == ["pat@acme.test"]


def test_the_confirmation_goes_where_the_owner_last_signed_in_from(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Provisioning may change the address of someone who signs in through the provider:
    whoever runs both could move it to an inbox they read, then sign in with a subject of
    their own. The confirmation still goes to the address the owner signed in with."""
    Client().force_login(participant)  # signs in at pat@acme.test
    Person.objects.filter(pk=participant.pk).update(email="alias@acme.test")  # as SCIM may
    connect_oidc(organisation, idp)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, Someone(email="alias@acme.test", name="Not Pat"))

    [asked] = mailoutbox
    assert asked.to == ["pat@acme.test"]
    assert not SocialAccount.objects.filter(user=participant).exists()


def test_before_the_first_sign_in_the_confirmation_goes_to_the_address_it_was_made_for(
    organisation: Organisation,
    participant: Person,
    program_admin: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Nobody has signed in to it, but it holds a group invitation: whoever runs both
    provisioning and the sign-in settings moves its address to an inbox they read, then
    signs in with a subject of their own. The owner is asked, at the address they had."""
    group = CommunityGroup.objects.create(organisation=organisation, name="Parents")
    GroupInvitation.objects.create(group=group, person=participant, invited_by=program_admin)
    Person.objects.filter(pk=participant.pk).update(email="alias@acme.test")  # as SCIM may
    connect_oidc(organisation, idp)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, Someone(email="alias@acme.test", name="Not Pat"))

    [asked] = mailoutbox
    assert asked.to == ["pat@acme.test"]
    assert not SocialAccount.objects.filter(user=participant).exists()


def test_an_unconfirmed_link_expires_within_a_day(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    Person.objects.filter(pk=participant.pk).update(last_login=timezone.now())
    connect_oidc(organisation, idp)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, Someone(email="pat@acme.test", name="Pat"))
    path = confirmation_path(mailoutbox[0])
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        answer = Client().post(path)
    assert answer.status_code == 404 and "no longer works" in answer.content.decode()
    assert not SocialAccount.objects.filter(user=participant).exists()


def test_an_account_made_on_first_sign_in_gets_no_such_e_mail(
    organisation: Organisation,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    IdentityProvider.objects.filter(pk=connect_oidc(organisation, idp).pk).update(just_in_time=True)
    with django_capture_on_commit_callbacks(execute=True):
        sign_in_through(Client(), idp, Someone(email="new@acme.test", name="New"))
    assert Person.objects.filter(email="new@acme.test").exists()
    assert mailoutbox == []


def test_only_name_and_email_are_kept_from_the_provider(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    sign_in_through(Client(), idp, Someone(email="pat@acme.test", name="Pat"))
    account = SocialAccount.objects.get(user=participant)
    kept = account.extra_data["id_token"]
    assert set(kept) <= {"iss", "sub", "email", "name"}
    assert "groups" not in str(account.extra_data)
    assert (
        not participant.groupmembership_set.exists()
        if hasattr(participant, "groupmembership_set")
        else True
    )


def test_an_invited_person_joins_on_first_sign_in_with_the_invited_roles(
    organisation: Organisation, program_admin: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    invitation, _ = Invitation.build(
        organisation=organisation,
        email="nia@acme.test",
        chosen_name="Nia",
        roles=[Role.FACILITATOR],
        invited_by=program_admin,
    )
    invitation.save()
    client = Client()
    sign_in_through(client, idp, Someone(email="Nia@Acme.test", name="Nia from IdP"))
    person = signed_in_as(client)
    assert person is not None and person.email == "nia@acme.test"
    assert person.organisation == organisation
    assert person.role_set() == {Role.FACILITATOR}
    assert not person.has_usable_password()
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_without_just_in_time_an_uninvited_person_is_refused(
    organisation: Organisation, idp: OIDCProvider, caplog: pytest.LogCaptureFixture
) -> None:
    connect_oidc(organisation, idp)
    client = Client()
    answer = sign_in_through(client, idp, Someone(email="new@acme.test", name="New"))
    assert answer.status_code == 403
    assert b"has not invited you" in answer.content
    assert signed_in_as(client) is None
    assert not Person.objects.filter(email="new@acme.test").exists()
    assert "not invited" in caplog.text and "new@acme.test" not in caplog.text


def test_with_just_in_time_a_new_person_becomes_a_participant(
    organisation: Organisation, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp, just_in_time=True)
    client = Client()
    sign_in_through(client, idp, Someone(email="new@acme.test", name="Noor New"))
    person = signed_in_as(client)
    assert person is not None
    assert (person.chosen_name, person.organisation, person.role_set()) == (
        "Noor New",
        organisation,
        frozenset({Role.PARTICIPANT}),
    )


def test_an_address_outside_the_organisations_domains_is_refused(
    organisation: Organisation, idp: OIDCProvider, caplog: pytest.LogCaptureFixture
) -> None:
    connect_oidc(organisation, idp, just_in_time=True)
    client = Client()
    answer = sign_in_through(client, idp, Someone(email="eve@elsewhere.test", name="Eve"))
    assert answer.status_code == 403
    assert b"is not one of" in answer.content
    assert signed_in_as(client) is None
    assert "domain outside" in caplog.text


def test_a_person_of_another_organisation_is_refused(
    organisation: Organisation, stranger: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    # The stranger's address is at a domain Acme does not own, so it is refused
    # either way; an address Acme claims that belongs to someone else is too.
    stranger.email = "sid@acme.test"
    stranger.save()
    client = Client()
    answer = sign_in_through(client, idp, Someone(email="sid@acme.test", name="Sid"))
    assert answer.status_code == 403
    assert signed_in_as(client) is None
    # Said as to an address nobody has: that it has an account elsewhere is not Acme's to learn.
    unknown = sign_in_through(Client(), idp, Someone(email="nobody@acme.test", name="No"))
    assert without_per_request_values(answer.content.decode()) == without_per_request_values(
        unknown.content.decode()
    )
    assert "has not invited you" in answer.content.decode()


def test_a_deactivated_person_is_refused(
    organisation: Organisation, deactivated: Person, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    client = Client()
    answer = sign_in_through(client, idp, Someone(email="dee@acme.test", name="Dee"))
    assert answer.status_code == 403
    assert signed_in_as(client) is None


def test_each_organisation_uses_its_own_provider_settings(
    organisation: Organisation, other_organisation: Organisation, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    assert IdentityProvider.objects.count() == 1
    answer = Client().post("/sso/oidc/globex/login/")
    assert answer.status_code == 404


def test_an_address_the_provider_did_not_verify_opens_no_invitation(
    organisation: Organisation, program_admin: Person, idp: OIDCProvider
) -> None:
    """At some providers anyone may type any address into their own profile, and the
    provider then says it is not verified: typed in, an invitee's address would hand its
    invitation, and its roles, to whoever typed it."""
    connect_oidc(organisation, idp, just_in_time=True)
    invitation, _ = invite(
        program_admin, "new.lead@acme.test", roles=[Role.PROGRAM_ADMIN], name="New lead"
    )
    client = Client()
    typed = Someone(email="new.lead@acme.test", name="Mallory", email_verified=False)
    answer = sign_in_through(client, idp, typed)

    assert answer.status_code == 403
    assert "has not confirmed that this e-mail address is yours" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not Person.objects.filter(email="new.lead@acme.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
    # Nor does one make a new account, even with just-in-time creation on.
    sign_in_through(client, idp, Someone(email="x@acme.test", name="X", email_verified=False))
    assert not Person.objects.filter(email="x@acme.test").exists()


def test_an_address_the_provider_did_not_verify_reaches_an_unused_account_only_by_its_owner(
    organisation: Organisation,
    participant: Person,
    idp: OIDCProvider,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """An account nobody has signed in to yet holds nothing today, but would be reached by
    everything added to it later: linked from an unverified address, it waits for its
    owner's confirmation like an account in use, and the confirmation goes to its owner."""
    assert participant.last_login is None
    connect_oidc(organisation, idp)
    client = Client()
    typed = Someone(email="pat@acme.test", name="Mallory", email_verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        answer = sign_in_through(client, idp, typed)

    assert "Check your inbox" in answer.content.decode()
    assert signed_in_as(client) is None
    assert not SocialAccount.objects.filter(user=participant).exists()
    [asked] = mailoutbox
    assert asked.to == ["pat@acme.test"]
    # The same address verified by the provider signs its owner straight in, as before.
    owner = Client()
    sign_in_through(owner, idp, Someone(email="pat@acme.test", name="Pat"))
    assert signed_in_as(owner) == participant
