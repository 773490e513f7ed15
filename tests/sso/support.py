"""Helpers for the SSO tests: an organisation connected to a real identity provider, and
a sign-in walked through its redirects."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import requests
from django.test import Client

from bridgework.accounts.models import Organisation
from bridgework.sso.models import IdentityProvider, Protocol

from .oidc_provider import OIDCProvider, Someone

if TYPE_CHECKING:
    # What django.test.Client's get and post return (a class only the stubs define).
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

CALLBACK = "http://testserver/sso/oidc/acme/login/callback/"


def connect_oidc(
    organisation: Organisation, idp: OIDCProvider, *, just_in_time: bool = False
) -> IdentityProvider:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    client = idp.register_client(CALLBACK)
    provider = IdentityProvider(
        organisation=organisation,
        protocol=Protocol.OIDC,
        display_name="Acme Login",
        oidc_server_url=idp.issuer,
        oidc_client_id=client.client_id,
        just_in_time=just_in_time,
    )
    provider.set_oidc_secret(client.client_secret)
    provider.save()
    return provider


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def sign_in_through(
    client: Client, idp: OIDCProvider, someone: Someone, slug: str = "acme"
) -> Response:
    """Press "Sign in with …", let the provider sign `someone` in, follow it back."""
    idp.next_person = someone
    start = client.post(f"/sso/oidc/{slug}/login/")
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(f"{idp.issuer}/authorize?")
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=30)
    assert at_provider.status_code == 302, at_provider.text
    back = at_provider.headers["Location"]
    assert back.startswith(CALLBACK), back
    return client.get(path_of(back))
