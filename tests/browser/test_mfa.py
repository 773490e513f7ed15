"""Two-step sign-in in a real browser: a program admin the organisation requires to use MFA
is sent to set it up after signing in with a password, adds a passkey through Chromium's
virtual authenticator (the WebAuthn ceremony runs for real, against allauth's fido2 server
side), and then signs in with it, as a second step and on its own. Every page passes axe."""

from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.security.models import MFAPolicy

from .helpers import DEMO_PASSWORD, PEOPLE_BY_ROLE, AccessibilityChecker, sign_in

pytestmark = pytest.mark.browser

ADMIN = PEOPLE_BY_ROLE["program-admin"]


def add_virtual_authenticator(page: Page) -> None:
    """A platform authenticator (like a laptop's fingerprint reader) that keeps passkeys and
    says yes at once, through Chromium's DevTools protocol."""
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def type_password(page: Page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url("/accounts/login/")


def require_mfa_of_program_admins(organisation: Organisation) -> None:
    MFAPolicy.objects.update_or_create(organisation=organisation, defaults={"program_admins": True})


def test_a_program_admin_adds_a_passkey_when_asked_and_signs_in_with_it(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    require_mfa_of_program_admins(demo)
    add_virtual_authenticator(page)

    type_password(page, ADMIN.email)
    expect(page).to_have_url("/accounts/2fa/required/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step sign-in")
    axe(page)
    # Nothing else opens before a second factor is set up.
    page.goto("/people/")
    expect(page).to_have_url("/accounts/2fa/required/")

    # By keyboard: tab to the link and follow it.
    link = page.get_by_role("link", name="Add a security key or passkey")
    link.focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url("/accounts/2fa/webauthn/add/")
    axe(page)
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_label("Make it a passkey").check()
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    axe(page)
    expect(
        page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    ).to_have_count(10)

    page.goto("/people/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page).to_have_url("/people/")
    page.goto("/accounts/2fa/")
    expect(page.get_by_text("You have added 1 key")).to_be_visible()
    axe(page)
    page.get_by_role("link", name="Manage your keys").click()
    expect(page.get_by_role("cell", name="Work laptop", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Passkey", exact=True)).to_be_visible()
    axe(page)

    # At the next password sign-in the passkey is the second step.
    sign_out(page)
    type_password(page, ADMIN.email)
    expect(page).to_have_url("/accounts/2fa/authenticate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Second step of signing in")
    axe(page)
    page.get_by_role("button", name="Use a security key or passkey").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    # And a passkey signs in on its own, without the password.
    sign_out(page)
    page.get_by_role("button", name="Use a passkey instead").click()
    expect(page).to_have_url("/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_facilitator_sets_up_an_authenticator_app_and_recovery_codes(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    facilitator = PEOPLE_BY_ROLE["facilitator"]
    sign_in(page, facilitator.email)  # the demo asks no one for MFA
    page.goto("/profile/")
    page.get_by_role("link", name="Two-step sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-step sign-in")
    axe(page)

    page.get_by_role("link", name="Set up an authenticator app").click()
    # Changing how you sign in first asks for the password again.
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    axe(page)
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    axe(page)
    app = pyotp.TOTP(page.locator("#totp-secret").inner_text())
    page.get_by_label("Code from your authenticator app").fill("000000")
    if app.now() == "000000":
        page.get_by_label("Code from your authenticator app").fill("111111")
    page.get_by_role("button", name="Turn on").click()
    expect(page.locator(".field__errors")).to_be_visible()
    axe(page)
    # A code counts only in its own 30-second step (allauth remembers a used code for one
    # step, so a wider window would let it be used twice): start a code with time to spare.
    if app.interval - time.time() % app.interval < 15:
        time.sleep(app.interval - time.time() % app.interval + 0.5)
    page.get_by_label("Code from your authenticator app").fill(app.now())
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Recovery codes")
    person = Person.objects.get(email=facilitator.email)
    assert person.authenticator_set.filter(type="totp").exists()  # type: ignore[attr-defined]

    page.goto("/accounts/2fa/recovery-codes/generate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Make new recovery codes")
    axe(page)
    page.goto("/accounts/2fa/totp/deactivate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Turn off the authenticator app")
    axe(page)


def test_the_program_admin_requires_mfa_of_facilitators_on_the_security_settings(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, ADMIN.email)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Security"
    ).click()
    expect(page).to_have_url("/settings/security/")
    axe(page)
    page.get_by_label("Facilitators must use MFA").check()
    page.get_by_role("button", name="Save security settings").click()
    expect(page.get_by_role("status")).to_contain_text("Security settings saved.")
    axe(page)
    assert MFAPolicy.objects.get(organisation=demo).facilitators
