"""A program admin connects the organisation's identity provider and people sign in through
it, as a new user would: an OpenID Connect provider (Authlib) and a SAML IdP (pysaml2), both
real ones on loopback; the browser follows the actual redirects and posts. axe-core checks
every page of ours on the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core import mail
from django.core.cache import cache
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.models import IdentityProvider

from ..sso.oidc_provider import OIDCProvider, Someone
from ..sso.saml_idp import LoopbackSamlIdP
from .helpers import AccessibilityChecker, screenshot, sign_in

# Both identity providers listen on loopback, which the settings otherwise refuse to read.
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("loopback_identity_providers")]


@pytest.fixture
def oidc() -> Iterator[OIDCProvider]:
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


def test_an_admin_connects_openid_connect_and_signs_back_in_through_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation, live_server: Any, oidc: OIDCProvider
) -> None:
    client = oidc.register_client(f"{live_server.url}/sso/oidc/{demo.slug}/login/callback/")
    # Its authorization endpoint is on another origin than its issuer: the sign-in page's
    # Content-Security-Policy must let the button's redirect go there (a violation fails).
    oidc.authorize_elsewhere = True
    oidc.next_person = Someone(email="admin@example.com", name="Jordan at the IdP")

    sign_in(page, "admin@example.com")
    page.goto("/settings/")
    page.get_by_label("E-mail domains").fill("example.com")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Sign-in"
    ).click()
    expect(page.get_by_role("heading", level=2)).to_have_text("Sign in with your identity provider")
    axe(page)
    page.get_by_label("OpenID Connect").check()
    page.get_by_label("Name on the sign-in button").fill("Example Login")
    page.get_by_label("Issuer or discovery address").fill(oidc.issuer)
    page.get_by_label("Client ID").fill(client.client_id)
    page.get_by_label("Client secret").fill(client.client_secret)
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.get_by_text("Sign-in settings saved.")).to_be_visible()
    expect(page.get_by_text("A secret is set.")).to_be_visible()
    assert client.client_secret not in page.content()
    axe(page)

    page.get_by_role("button", name="Sign out").click()
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with your organisation's identity provider").click()
    axe(page)
    # Keyboard only: type the address, Enter, then Enter on the one button.
    page.get_by_label("Work e-mail address").focus()
    page.keyboard.type("admin@example.com")
    page.keyboard.press("Enter")
    button = page.get_by_role("button", name="Sign in with Example Login")
    expect(button).to_be_visible()
    axe(page)
    button.focus()
    page.keyboard.press("Enter")
    # The admin has signed in to this account before: nothing is linked until its owner
    # confirms from the inbox (whoever runs these settings could be someone else).
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    axe(page)
    [asked] = [m for m in mail.outbox if "Confirm signing in" in m.subject]
    match = re.search(r"(/sso/link/[^/\s]+/)", str(asked.body))
    assert match, asked.body
    page.goto(match.group(1))
    axe(page)
    screenshot(page, "sso-confirm-first-link.png")
    page.get_by_role("button", name="It was me: confirm").click()
    expect(page.get_by_role("heading", name="Confirmed")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Sign in with Example Login").click()
    page.get_by_role("button", name="Sign in with Example Login").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe(page)


@pytest.fixture
def saml_idp(tmp_path: Path) -> Iterator[LoopbackSamlIdP]:
    idp = LoopbackSamlIdP(tmp_path).start()
    cache.clear()  # fetched metadata is remembered by address
    yield idp
    idp.stop()
    cache.clear()


def test_an_admin_connects_saml_by_metadata_address_and_a_participant_signs_in_through_it(
    page: Page,
    axe: AccessibilityChecker,
    demo: Organisation,
    live_server: Any,
    saml_idp: LoopbackSamlIdP,
) -> None:
    sign_in(page, "admin@example.com")
    page.goto("/settings/")
    page.get_by_label("E-mail domains").fill("example.com")
    page.get_by_role("button", name="Save settings").click()
    page.goto("/settings/sign-in/")
    page.get_by_label("SAML 2.0").check()
    page.get_by_label("Name on the sign-in button").fill("Example SAML")
    page.get_by_label("IdP metadata address").fill(saml_idp.metadata_url)
    page.get_by_role("button", name="Save sign-in settings").click()
    expect(page.get_by_text("Sign-in settings saved.")).to_be_visible()
    axe(page)
    # The IdP's admin uploads our service provider metadata, as the page tells them to.
    sp_metadata = requests.get(f"{live_server.url}/accounts/saml/{demo.slug}/metadata/", timeout=30)
    assert sp_metadata.status_code == 200
    saml_idp.idp.trust(sp_metadata.text)
    page.get_by_role("button", name="Sign out").click()

    saml_idp.next_person = ("participant@example.com", "Alex at the IdP")
    page.goto("/sso/")
    page.get_by_label("Work e-mail address").fill("participant@example.com")
    page.keyboard.press("Enter")
    button = page.get_by_role("button", name="Sign in with Example SAML")
    expect(button).to_be_visible()
    axe(page)
    button.click()
    # At the identity provider: the signed response goes back to Bridgework.
    page.wait_for_url(f"{saml_idp.base}/sso/redirect?*")
    page.get_by_role("button", name="Continue to Bridgework").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("Alex Rivera").first).to_be_visible()
    axe(page)


def example_login(demo: Organisation, **options: Any) -> IdentityProvider:
    """An OpenID Connect provider for the demo's example.com addresses (never reached)."""
    demo.email_domains = ["example.com"]
    demo.save()
    return IdentityProvider.objects.create(
        organisation=demo,
        display_name="Example Login",
        oidc_server_url="https://login.example.invalid",
        oidc_client_id="bridgework",
        **options,
    )


def test_an_admin_removes_the_identity_provider_after_confirming(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    example_login(demo)
    sign_in(page, "admin@example.com")
    page.goto("/settings/sign-in/")
    page.get_by_role("link", name="Remove Example Login").click()
    expect(page.get_by_role("heading", name="Remove Example Login?")).to_be_visible()
    axe(page)
    screenshot(page, "sso-remove-provider.png")
    page.get_by_role("button", name="Remove Example Login").click()
    expect(page.get_by_text("Example Login is no longer connected.")).to_be_visible()
    assert not IdentityProvider.objects.filter(organisation=demo).exists()
    axe(page)


def test_someone_at_an_sso_only_organisation_asking_for_a_reset_is_sent_to_their_provider(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    example_login(
        demo, sso_only=True, break_glass_admin=Person.objects.get(email="admin@example.com")
    )
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill("participant@example.com")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in with Example Login")
    expect(page.get_by_text("there is no password to reset here")).to_be_visible()
    axe(page)
    screenshot(page, "sso-password-reset.png")
    page.get_by_role("link", name="Sign in with Example Login").click()
    expect(page.get_by_role("button", name="Sign in with Example Login")).to_be_visible()
