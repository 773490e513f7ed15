"""Forgot your password? At an organisation that signs in only through its identity
provider there is no password to reset: the page says to sign in there, the same page for
every address at its domains (whether or not it has an account), and only the break-glass
program admin is sent a reset link."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.forms import IdentityProviderForm
from bridgework.sso.models import IdentityProvider

pytestmark = pytest.mark.django_db

RESET = reverse("account_reset_password")
TOLD = "<bdi>Acme</bdi> signs in through <bdi>Okta</bdi>, not with a Bridgework password"


@pytest.fixture
def okta(organisation: Organisation, program_admin: Person) -> IdentityProvider:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    return IdentityProvider.objects.create(
        organisation=organisation,
        display_name="Okta",
        oidc_server_url="https://acme.okta.example",
        oidc_client_id="bridgework",
        sso_only=True,
        break_glass_admin=program_admin,
    )


def ask_for_reset(email: str) -> str:
    answer = Client().post(RESET, {"email": email})
    assert answer.status_code == 200, answer.status_code
    # Each page has its own CSRF token and script nonce; the rest must be identical.
    return re.sub(r'(value|nonce|content)="[^"]{20,}"', "", answer.content.decode())


def test_someone_at_an_sso_only_organisation_is_told_to_sign_in_there(
    okta: IdentityProvider, participant: Person
) -> None:
    page = ask_for_reset(participant.email)
    assert TOLD in page
    assert f'href="{reverse("sso_start", args=["acme"])}"' in page
    assert mail.outbox == []


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    okta: IdentityProvider, participant: Person, program_admin: Person
) -> None:
    known = ask_for_reset(participant.email)
    unknown = ask_for_reset("nobody-here@acme.test")
    break_glass = ask_for_reset(program_admin.email)
    assert known == unknown == break_glass


def test_the_break_glass_admin_is_sent_a_reset_link(
    okta: IdentityProvider, program_admin: Person, participant: Person
) -> None:
    ask_for_reset(participant.email)
    ask_for_reset("nobody-here@acme.test")
    assert mail.outbox == []

    ask_for_reset(program_admin.email)
    assert [message.to for message in mail.outbox] == [[program_admin.email]]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_with_passwords_on_the_usual_reset_link_is_sent(
    okta: IdentityProvider, participant: Person
) -> None:
    okta.sso_only = False
    okta.save()
    answer = Client().post(RESET, {"email": participant.email})
    assert answer.status_code == 302
    assert answer["Location"] == reverse("account_reset_password_done")
    assert [message.to for message in mail.outbox] == [[participant.email]]


def test_other_organisations_reset_as_usual(okta: IdentityProvider, stranger: Person) -> None:
    answer = Client().post(RESET, {"email": stranger.email})
    assert answer.status_code == 302
    assert [message.to for message in mail.outbox] == [[stranger.email]]


def test_a_malformed_address_is_explained_not_answered_with_the_provider(
    okta: IdentityProvider,
) -> None:
    answer = Client().post(RESET, {"email": "not an address"})
    assert answer.status_code == 200
    assert TOLD not in answer.content.decode()
    assert "valid" in answer.content.decode().lower()


def signed_in_without_a_password(person: Person) -> Person:
    person.set_unusable_password()
    person.last_login = timezone.now()
    person.signed_in_email = person.email
    person.save(update_fields=["password", "last_login", "signed_in_email"])
    return person


def test_someone_who_signs_in_through_the_provider_is_told_how_and_given_no_password(
    okta: IdentityProvider, participant: Person, django_capture_on_commit_callbacks: Any
) -> None:
    okta.sso_only = False
    okta.save()
    signed_in_without_a_password(participant)
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(RESET, {"email": participant.email})
    assert answer.status_code == 302  # the same answer as for anyone
    [told] = mail.outbox
    assert told.to == [participant.email]
    assert "Your account has no password" in told.body and "Sign in through Okta" in told.body
    assert "/password/reset/key/" not in told.body


def test_once_the_provider_is_removed_a_reset_is_the_way_back_in(
    okta: IdentityProvider, participant: Person
) -> None:
    signed_in_without_a_password(participant)
    okta.delete()
    Client().post(RESET, {"email": participant.email})
    [sent] = mail.outbox
    assert "/accounts/password/reset/key/" in sent.body


def test_no_reset_link_reaches_an_address_moved_since_its_owner_last_signed_in(
    okta: IdentityProvider, participant: Person, django_capture_on_commit_callbacks: Any
) -> None:
    """SCIM may move the address of someone who signs in through the provider. Whoever
    moved it to an inbox of their own, and then removed the provider, would otherwise be
    sent the link that gives the account its first password."""
    signed_in_without_a_password(participant)
    Person.objects.filter(pk=participant.pk).update(email="taken-over@acme.test")
    okta.delete()
    with django_capture_on_commit_callbacks(execute=True):
        answer = Client().post(RESET, {"email": "taken-over@acme.test"})
    assert answer.status_code == 302  # the same answer as for anyone
    [told] = mail.outbox
    assert "Your account has no password" in told.body
    assert "/password/reset/key/" not in told.body


def test_only_an_admin_with_a_password_can_keep_it_when_passwords_are_off(
    organisation: Organisation, program_admin: Person
) -> None:
    signed_in_without_a_password(program_admin)
    form = IdentityProviderForm(organisation=organisation)
    assert program_admin not in form.fields["break_glass_admin"].queryset  # type: ignore[attr-defined]
