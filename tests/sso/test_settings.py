"""The Sign-in settings page and "SSO only": program admins connect the organisation's
identity provider; the client secret is sealed, never shown back, never audited by value;
turning passwords off keeps one break-glass program admin's."""

from __future__ import annotations

from importlib import import_module
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.apps import apps as django_apps
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person, SettingsChange
from bridgework.sso.models import IdentityProvider

from ..conftest import PASSWORD, client_for
from .oidc_provider import OIDCProvider

URL = reverse("sso_settings")
SECRET = "s3cret-value-from-the-provider"

pytestmark = pytest.mark.django_db


OIDC_FORM = {
    "protocol": "oidc",
    "display_name": "Okta",
    "oidc_server_url": "set by reachable_issuer",
    "oidc_client_id": "0oa-bridgework",
    "client_secret": SECRET,
    "saml_metadata_url": "",
    "saml_metadata_xml": "",
    "break_glass_admin": "",
}


@pytest.fixture(autouse=True)
def reachable_issuer(oidc_provider: OIDCProvider, monkeypatch: pytest.MonkeyPatch) -> None:
    """Saving reads the issuer's discovery document, so the form names one that answers:
    the loopback provider's."""
    monkeypatch.setitem(OIDC_FORM, "oidc_server_url", oidc_provider.issuer)


def oidc_form(**changes: str) -> dict[str, str]:
    return {**OIDC_FORM, **changes}


def password_signs_in(person: Person) -> Person | None:
    request = RequestFactory().post("/accounts/login/")
    found = authenticate(request, email=person.email, password=PASSWORD)
    return found if isinstance(found, Person) else None


@pytest.fixture
def with_domains(organisation: Organisation) -> Organisation:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    return organisation


def test_the_sign_in_section_is_listed_in_the_settings_navigation(program_admin: Person) -> None:
    page = client_for(program_admin).get(reverse("organisation_settings"))
    assert b'href="/settings/sign-in/"' in page.content


def test_an_admin_connects_openid_connect_and_the_secret_is_sealed(
    with_domains: Organisation, program_admin: Person
) -> None:
    client = client_for(program_admin)
    answer = client.post(URL, oidc_form())
    assert answer.status_code == 302
    provider = IdentityProvider.objects.get(organisation=with_domains)
    assert provider.oidc_secret() == SECRET
    with connection.cursor() as cursor:
        cursor.execute("SELECT oidc_secret_sealed FROM sso_identityprovider")
        (stored,) = cursor.fetchone()
    assert SECRET.encode() not in bytes(stored)
    page = client.get(URL)
    assert SECRET.encode() not in page.content
    assert b"A secret is set" in page.content
    settings = set(SettingsChange.objects.values_list("setting", flat=True))
    assert {"Client secret", "Client ID", "Name on the sign-in button"} <= settings
    assert not SettingsChange.objects.filter(setting__contains=SECRET).exists()


def test_an_empty_secret_keeps_the_one_set_and_audits_nothing_new(
    with_domains: Organisation, program_admin: Person
) -> None:
    client = client_for(program_admin)
    client.post(URL, oidc_form())
    before = SettingsChange.objects.count()
    client.post(URL, oidc_form(client_secret=""))
    assert IdentityProvider.objects.get().oidc_secret() == SECRET
    assert SettingsChange.objects.count() == before


def test_missing_settings_are_explained_next_to_the_fields(
    with_domains: Organisation, program_admin: Person
) -> None:
    answer = client_for(program_admin).post(
        URL, oidc_form(oidc_client_id="", client_secret="", oidc_server_url="not a url")
    )
    assert answer.status_code == 200
    assert b"Give the client ID." in answer.content
    assert b"Give the client secret." in answer.content
    assert not IdentityProvider.objects.exists()


NOT_KEPT = "For your safety this was not kept: paste it again."


def test_a_secret_typed_with_another_mistake_is_not_shown_back_and_the_page_says_so(
    with_domains: Organisation, program_admin: Person
) -> None:
    answer = client_for(program_admin).post(URL, oidc_form(oidc_client_id=""))
    page = answer.content.decode()
    assert "Give the client ID." in page
    assert SECRET not in page
    secret_field = page.split('id="id_client_secret_error"')[1].split("</div>")[0]
    assert NOT_KEPT in secret_field


def test_nothing_is_said_of_a_secret_that_was_not_typed(
    with_domains: Organisation, program_admin: Person
) -> None:
    answer = client_for(program_admin).post(URL, oidc_form(oidc_client_id="", client_secret=""))
    assert NOT_KEPT not in answer.content.decode()


def test_domains_come_first(organisation: Organisation, program_admin: Person) -> None:
    answer = client_for(program_admin).post(URL, oidc_form())
    assert b"Add the organisation&#x27;s e-mail domains in General first" in answer.content
    assert not IdentityProvider.objects.exists()


def test_without_domains_the_page_says_so_before_anything_is_typed_with_a_link_to_general(
    organisation: Organisation, program_admin: Person
) -> None:
    page = client_for(program_admin).get(URL).content.decode()
    notice = page.split('id="sso-domains-first"')[1].split("</p>")[0]
    general = reverse("organisation_settings")
    assert f'Add the organisation\'s e-mail domains in <a href="{general}">General</a>' in notice


def test_with_domains_the_page_does_not_ask_for_them(
    with_domains: Organisation, program_admin: Person
) -> None:
    assert b"sso-domains-first" not in client_for(program_admin).get(URL).content


def test_sso_only_needs_a_break_glass_program_admin(
    with_domains: Organisation, program_admin: Person, participant: Person
) -> None:
    client = client_for(program_admin)
    answer = client.post(URL, oidc_form(sso_only="on"))
    assert b"Choose a program admin who keeps a password" in answer.content
    answer = client.post(URL, oidc_form(sso_only="on", break_glass_admin=str(participant.pk)))
    assert b"Select a valid choice" in answer.content
    assert not IdentityProvider.objects.exists()


@pytest.fixture
def sso_only(with_domains: Organisation, program_admin: Person) -> IdentityProvider:
    client_for(program_admin).post(
        URL, oidc_form(sso_only="on", break_glass_admin=str(program_admin.pk))
    )
    return IdentityProvider.objects.get(sso_only=True)


def test_with_sso_only_a_password_no_longer_signs_anyone_in(
    sso_only: IdentityProvider, participant: Person
) -> None:
    client = Client()
    answer = client.post(
        reverse("account_login"), {"login": participant.email, "password": PASSWORD}
    )
    assert answer.status_code == 200
    assert "Acme signs in through Okta, not with a password." in answer.content.decode()
    assert "_auth_user_id" not in client.session
    # Whatever path a password takes, the authentication backends refuse it.
    assert password_signs_in(participant) is None


def test_a_second_address_of_ones_own_never_gets_past_sso_only(
    sso_only: IdentityProvider, participant: Person
) -> None:
    """Each person has one address, the one their organisation knows: a second, added at
    the e-mail page, would sign in with the password that "SSO only" refuses."""
    client = client_for(participant)
    client.post(reverse("account_email"), {"email": "mine@elsewhere.example", "action_add": ""})
    assert not EmailAddress.objects.filter(email="mine@elsewhere.example").exists()
    client.logout()
    answer = client.post(
        reverse("account_login"), {"login": "mine@elsewhere.example", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert answer.status_code == 200


def test_second_addresses_added_before_are_dropped_on_upgrade(participant: Person) -> None:
    # An "_" in one's own address is not a wildcard.
    Person.objects.filter(pk=participant.pk).update(email="pat_p@acme.test")
    own = EmailAddress.objects.get(user=participant)
    own.email = "PAT_P@acme.test"
    own.save()
    EmailAddress.objects.create(user=participant, email="MINE@elsewhere.example")
    EmailAddress.objects.create(user=participant, email="patzp@acme.test")
    migration = import_module("bridgework.accounts.migrations.0007_one_address_each")

    migration.drop_second_addresses(django_apps, None)

    assert list(EmailAddress.objects.filter(user=participant)) == [own]


def test_the_break_glass_admin_keeps_their_password(
    sso_only: IdentityProvider, program_admin: Person
) -> None:
    client = Client()
    answer = client.post(
        reverse("account_login"), {"login": program_admin.email, "password": PASSWORD}
    )
    assert answer.status_code == 302
    assert client.session["_auth_user_id"] == str(program_admin.pk)


def test_a_wrong_password_answers_alike_for_every_address_at_an_sso_only_organisation(
    sso_only: IdentityProvider, program_admin: Person, participant: Person
) -> None:
    """Only the break-glass admin still has a password: were a wrong one "not correct" for
    them and "signs in through Okta" for every other address, anyone trying addresses would
    find the one account here that a password opens, and an admin's."""

    def answer(email: str) -> str:
        page = Client().post(reverse("account_login"), {"login": email, "password": "x-guess-1"})
        assert page.status_code == 200
        return page.content.decode()

    for email in ("nobody@acme.test", participant.email, program_admin.email):
        assert "Acme signs in through Okta, not with a password." in answer(email), email


def test_a_refused_password_takes_as_long_as_a_checked_one(
    sso_only: IdentityProvider, participant: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An address that gets no password check would be answered faster than one that does,
    which says that it has an account: the refusal runs the password hasher once too, at
    the form and in the backend that ends every other path."""
    hashed: list[str] = []
    real = make_password

    def counted(password: str | None, *args: Any, **kwargs: Any) -> str:
        hashed.append(str(password))
        return real(password, *args, **kwargs)

    monkeypatch.setattr("bridgework.sso.forms.make_password", counted)
    monkeypatch.setattr("bridgework.sso.backends.make_password", counted)
    Client().post(reverse("account_login"), {"login": participant.email, "password": "guess-1"})
    assert hashed == ["guess-1"]
    hashed.clear()
    assert password_signs_in(participant) is None
    assert hashed == [PASSWORD]


def test_other_organisations_keep_their_passwords(
    sso_only: IdentityProvider, stranger: Person
) -> None:
    assert password_signs_in(stranger) == stranger


REMOVE = reverse("sso_remove")


def test_the_settings_page_offers_to_remove_a_connected_provider(
    with_domains: Organisation, program_admin: Person
) -> None:
    client = client_for(program_admin)
    assert REMOVE.encode() not in client.get(URL).content
    client.post(URL, oidc_form())
    assert f'href="{REMOVE}"'.encode() in client.get(URL).content


def test_an_admin_removes_the_provider_after_confirming(
    with_domains: Organisation, program_admin: Person, participant: Person
) -> None:
    client = client_for(program_admin)
    client.post(URL, oidc_form())
    SocialAccount.objects.create(user=participant, provider="acme", uid="okta-subject")

    confirm = client.get(REMOVE)
    assert confirm.status_code == 200
    assert b"Remove <bdi>Okta</bdi>?" in confirm.content
    assert IdentityProvider.objects.exists()  # looking at the question changes nothing

    answer = client.post(REMOVE)
    assert answer.status_code == 302 and answer["Location"] == URL
    assert not IdentityProvider.objects.exists()
    assert not SocialAccount.objects.exists()
    assert SettingsChange.objects.filter(
        organisation=with_domains, changed_by=program_admin, setting="Identity provider removed"
    ).exists()
    assert b"Okta is no longer connected." in client.get(URL).content
    # Their account stays, and a password signs in again.
    assert password_signs_in(participant) == participant


def test_the_provider_is_not_removed_while_sign_in_is_only_through_it(
    sso_only: IdentityProvider, program_admin: Person
) -> None:
    client = client_for(program_admin)
    before = SettingsChange.objects.count()

    question = client.get(REMOVE).content.decode()
    assert "Turn off “Sign in only through the identity provider”, save, then remove it." in (
        question
    )
    assert 'type="submit"' not in question.split("</nav>")[-1]
    answer = client.post(REMOVE)

    assert answer.status_code == 400
    assert b"without a way to sign in" in answer.content
    assert IdentityProvider.objects.filter(pk=sso_only.pk).exists()
    assert SettingsChange.objects.count() == before


def test_with_sso_only_turned_off_first_the_provider_can_be_removed(
    sso_only: IdentityProvider, program_admin: Person
) -> None:
    client = client_for(program_admin)
    client.post(URL, oidc_form(client_secret="", break_glass_admin=str(program_admin.pk)))
    assert not IdentityProvider.objects.get().sso_only

    assert client.post(REMOVE).status_code == 302
    assert not IdentityProvider.objects.exists()


def test_an_organisation_without_a_provider_has_nothing_to_remove(
    with_domains: Organisation, program_admin: Person
) -> None:
    assert client_for(program_admin).get(REMOVE).status_code == 404
