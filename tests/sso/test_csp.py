"""The organisation's sign-in page allows, in its Content-Security-Policy, the place its
button ends up: Chromium holds the redirect after a form post to the page's form-action,
and a provider's authorization endpoint is often on another origin than its issuer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client

from bridgework.accounts.models import Organisation, Person
from bridgework.sso import services
from bridgework.sso.models import IdentityProvider, Protocol

from .oidc_provider import OIDCProvider, Someone
from .saml_idp import SamlIdP
from .support import CALLBACK, connect_oidc, path_of

pytestmark = pytest.mark.django_db

START = "/sso/acme/"


@pytest.fixture(autouse=True)
def _no_remembered_origins() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def form_action(client: Client) -> list[str]:
    page = client.get(START)
    assert page.status_code == 200
    # A plain str name: WSGI servers refuse anything else (an enum member) with a 500.
    assert {type(name) for name in page.headers} == {str}
    directives = dict(
        part.strip().split(" ", 1) for part in page["Content-Security-Policy"].split(";")
    )
    return directives["form-action"].split()


def test_the_sign_in_page_allows_the_providers_authorization_endpoint(
    organisation: Organisation, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    assert form_action(Client()) == ["'self'", idp.issuer]


def test_every_other_directive_of_the_sites_policy_stays(
    organisation: Organisation, idp: OIDCProvider
) -> None:
    connect_oidc(organisation, idp)
    page = Client().get(START)
    other_page = Client().get("/accounts/login/")

    def other_directives(policy: str) -> list[str]:
        without_nonce = re.sub(r"'nonce-[^']+'", "'nonce'", policy)
        return [d for d in without_nonce.split("; ") if not d.startswith("form-action")]

    assert other_directives(page["Content-Security-Policy"]) == other_directives(
        other_page["Content-Security-Policy"]
    )
    nonce = re.search(r"'nonce-([^']+)'", page["Content-Security-Policy"])
    assert nonce is not None
    assert f'nonce="{nonce[1]}"' in page.text


def test_an_authorization_endpoint_on_another_origin_is_allowed_and_signs_in(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> None:
    idp.authorize_elsewhere = True
    connect_oidc(organisation, idp)
    browser = Client()

    allowed = form_action(browser)
    assert idp.authorization_origin in allowed
    assert idp.authorization_origin != idp.issuer

    idp.next_person = Someone(email=participant.email, name="Pat")
    start = browser.post("/sso/oidc/acme/login/")
    assert start["Location"].startswith(f"{idp.authorization_origin}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=30)
    assert at_provider.headers["Location"].startswith(CALLBACK)
    browser.get(path_of(at_provider.headers["Location"]))
    assert browser.session[SESSION_KEY] == str(participant.pk)


def test_a_provider_whose_discovery_cannot_be_read_still_gets_a_page(
    organisation: Organisation,
) -> None:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    IdentityProvider.objects.create(
        organisation=organisation,
        display_name="Acme Login",
        oidc_server_url="http://127.0.0.1:9/nowhere",
        oidc_client_id="bridgework",
    )
    assert form_action(Client()) == ["'self'", "http://127.0.0.1:9"]


def test_a_saml_idp_single_sign_on_address_is_allowed(
    tmp_path: Path, organisation: Organisation
) -> None:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    IdentityProvider.objects.create(
        organisation=organisation,
        protocol=Protocol.SAML,
        display_name="Acme SAML",
        saml_metadata_xml=SamlIdP(tmp_path).metadata(),
    )
    assert form_action(Client()) == ["'self'", "https://idp.acme.test"]


def test_the_origins_are_looked_up_again_after_the_settings_are_saved(
    organisation: Organisation, program_admin: Person, idp: OIDCProvider
) -> None:
    provider = connect_oidc(organisation, idp)
    browser = Client()
    assert form_action(browser) == ["'self'", idp.issuer]

    idp.authorize_elsewhere = True
    assert form_action(browser) == ["'self'", idp.issuer]  # remembered for a few minutes
    services.save_identity_provider(
        provider=provider, actor=program_admin, new_secret="", changed=[]
    )
    assert form_action(browser) == ["'self'", idp.authorization_origin]
