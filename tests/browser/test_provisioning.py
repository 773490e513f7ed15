"""The Provisioning section of the settings page as a program admin meets it: make a token
for the identity provider, see it once (a reload makes no second one), watch it being used,
revoke it once asked to confirm. axe-core checks each state of the page."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser


def users_status(live_server: Any, organisation: Organisation, token: str) -> int:
    response = httpx2.get(
        f"{live_server.url}/scim/v2/{organisation.slug}/Users",
        headers={"Authorization": f"Bearer {token}"},
        timeout=120,  # a loaded CI machine is slow, not broken
    )
    return response.status_code


def test_a_program_admin_makes_a_token_sees_it_once_and_revokes_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation, live_server: Any
) -> None:
    sign_in(page, "admin@example.com")
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Provisioning"
    ).click()
    expect(page.get_by_role("heading", name="Provisioning (SCIM)")).to_be_visible()
    expect(page.locator("#scim-base-url")).to_contain_text(f"/scim/v2/{demo.slug}/")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    assert page.evaluate("document.activeElement === document.body")  # no error, no focus
    axe(page)

    page.get_by_role("button", name="Make a token").click()
    expect(page.locator(".field--invalid")).to_contain_text("Give the token a name")
    # The page comes back with the keyboard on the field in error.
    expect(page.get_by_label("Name of the token")).to_be_focused()
    page.get_by_label("Name of the token").fill("Okta")
    page.get_by_role("button", name="Make a token").click()
    token_field = page.get_by_label("Token", exact=True)
    token = token_field.input_value()
    assert token.startswith("bwscim_")
    axe(page, dark_too=True)
    screenshot(page, "settings-provisioning-new-token.png")

    assert users_status(live_server, demo, token) == 200
    # Reloading the page sends its form again: a second token of that name is refused.
    page.reload()
    expect(page.get_by_label("Name of the token")).to_be_focused()
    expect(page.locator(".field--invalid")).to_contain_text(
        "A token named “Okta” already exists. Revoke it first, or choose another name."
    )
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    axe(page)
    page.get_by_role("link", name="Provisioning").click()
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    assert token not in page.content()
    row = page.get_by_role("row", name="Okta")
    expect(row).not_to_contain_text("Never")

    # Revoking asks first.
    row.get_by_role("link", name="Revoke… Okta").click()
    expect(page.get_by_role("heading", name="Revoke the token “Okta”?")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Keep it").click()
    assert users_status(live_server, demo, token) == 200
    row.get_by_role("link", name="Revoke… Okta").click()
    page.get_by_role("button", name="Revoke “Okta”").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("is revoked")
    expect(page.get_by_text("No tokens yet.")).to_be_visible()
    axe(page)
    assert users_status(live_server, demo, token) == 401
