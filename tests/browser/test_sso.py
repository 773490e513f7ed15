"""A program admin connects the organisation's OpenID Connect provider, signs out and signs
back in through it, as a new user would. The provider is a real one on loopback (Authlib);
the browser follows the actual redirects. axe-core checks every page on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation

from ..sso.oidc_provider import OIDCProvider, Someone
from .helpers import AccessibilityChecker, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def oidc() -> Iterator[OIDCProvider]:
    provider = OIDCProvider().start()
    yield provider
    provider.stop()


def test_an_admin_connects_openid_connect_and_signs_back_in_through_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation, live_server: Any, oidc: OIDCProvider
) -> None:
    client = oidc.register_client(f"{live_server.url}/sso/oidc/{demo.slug}/login/callback/")
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
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    axe(page)
