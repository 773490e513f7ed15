"""An OpenID Connect issuer whose discovery document cannot be read (a wrong address, a
provider that is down, a page that is not a discovery document): the program admin is told
next to the field when saving the settings, in one sentence that does not say which, and
people signing in get a sentence and a 502, never a server error."""

from __future__ import annotations

import logging

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.models import IdentityProvider

from ..conftest import client_for
from .oidc_provider import OIDCProvider, Someone
from .support import connect_oidc, path_of

pytestmark = pytest.mark.django_db

# Nothing listens on the discard port: the connection is refused at once.
NOWHERE = "http://127.0.0.1:9"
SETTINGS = reverse("sso_settings")
SECRET = "s3cret-value-from-the-provider"


def settings_form(issuer: str, **changes: str) -> dict[str, str]:
    return {
        "protocol": "oidc",
        "display_name": "Acme Login",
        "oidc_server_url": issuer,
        "oidc_client_id": "bridgework",
        "client_secret": SECRET,
        "saml_metadata_url": "",
        "saml_metadata_xml": "",
        "break_glass_admin": "",
        **changes,
    }


@pytest.fixture
def admin(organisation: Organisation, program_admin: Person) -> Client:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    return client_for(program_admin)


def test_an_issuer_that_cannot_be_reached_is_explained_at_sign_in_not_a_server_error(
    organisation: Organisation, idp: OIDCProvider, caplog: pytest.LogCaptureFixture
) -> None:
    provider = connect_oidc(organisation, idp)
    IdentityProvider.objects.filter(pk=provider.pk).update(oidc_server_url=NOWHERE)
    client = Client()

    with caplog.at_level(logging.INFO):
        answer = client.post("/sso/oidc/acme/login/")

    assert answer.status_code == 502
    page = answer.content.decode()
    assert "We could not reach Acme Login to sign you in" in page
    assert "ask your program admin" in page
    assert SESSION_KEY not in client.session
    logged = [r for r in caplog.records if r.name.startswith("bridgework.sso")]
    assert [r.levelno for r in logged] == [logging.WARNING]
    assert f"organisation {organisation.pk}" in logged[0].getMessage()
    assert SECRET not in logged[0].getMessage() and "127.0.0.1" not in logged[0].getMessage()


def test_an_issuer_that_answers_with_no_discovery_document_is_explained_at_sign_in(
    organisation: Organisation, idp: OIDCProvider
) -> None:
    provider = connect_oidc(organisation, idp)
    IdentityProvider.objects.filter(pk=provider.pk).update(oidc_server_url=f"{idp.issuer}/nope")

    answer = Client().post("/sso/oidc/acme/login/")

    assert answer.status_code == 502
    assert b"We could not reach Acme Login to sign you in" in answer.content


def test_an_issuer_gone_while_someone_is_at_the_provider_is_explained_on_their_return(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> None:
    provider = connect_oidc(organisation, idp)
    idp.next_person = Someone(email=participant.email, name="Pat")
    client = Client()
    start = client.post("/sso/oidc/acme/login/")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=30)
    IdentityProvider.objects.filter(pk=provider.pk).update(oidc_server_url=NOWHERE)

    answer = client.get(path_of(at_provider.headers["Location"]))

    assert answer.status_code == 502
    assert b"We could not reach Acme Login to sign you in" in answer.content
    assert SESSION_KEY not in client.session


def test_an_issuer_that_cannot_be_reached_is_refused_next_to_the_field_when_saved(
    admin: Client,
) -> None:
    answer = admin.post(SETTINGS, settings_form(NOWHERE))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert "Bridgework could not read identity provider settings from that address." in page
    assert 'id="id_oidc_server_url_error"' in page
    assert not IdentityProvider.objects.exists()


def test_an_address_that_is_not_an_issuer_is_refused_next_to_the_field_when_saved(
    admin: Client, idp: OIDCProvider
) -> None:
    answer = admin.post(SETTINGS, settings_form(f"{idp.issuer}/nope"))

    assert answer.status_code == 200
    assert b"Bridgework could not read identity provider settings from that address." in (
        answer.content
    )
    assert b"HTTP 404" not in answer.content
    assert not IdentityProvider.objects.exists()


def test_a_reachable_issuer_is_saved(admin: Client, idp: OIDCProvider) -> None:
    answer = admin.post(SETTINGS, settings_form(idp.issuer))

    assert answer.status_code == 302
    assert IdentityProvider.objects.get().oidc_server_url == idp.issuer


def test_an_issuer_briefly_down_does_not_block_other_changes(
    admin: Client, organisation: Organisation
) -> None:
    """Only a changed issuer is read: an outage at the provider never stops the admin
    changing the button's name or who can sign in."""
    IdentityProvider.objects.create(
        organisation=organisation,
        display_name="Acme Login",
        oidc_server_url=NOWHERE,
        oidc_client_id="bridgework",
    )

    answer = admin.post(SETTINGS, settings_form(NOWHERE, display_name="Acme Single Sign-On"))

    assert answer.status_code == 302
    assert IdentityProvider.objects.get().display_name == "Acme Single Sign-On"
