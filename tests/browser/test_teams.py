"""The program admin connects Microsoft Teams from the settings page: a bad id is explained
next to its field, the secret is never shown back, the page says the settings are saved and
checked once Teams writes to the bot, the app package downloads, and disconnecting says so.
axe-core checks each state."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation
from bridgework.teams.models import TeamsBot

from .helpers import AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

APP_ID = "6f1c2a9e-0b4d-4e4f-9a53-2f7d1c0e8b11"
TENANT_ID = "0d3b7c52-41e8-4a6b-9f0e-5c2d8a1b7e44"
SECRET = "browser-test-bot-secret"


def test_the_admin_connects_teams_downloads_the_package_and_disconnects(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    sign_in(page, "admin@example.com")
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings sections").get_by_role(
        "link", name="Microsoft Teams"
    ).click()
    expect(page.get_by_role("heading", level=2, name="Microsoft Teams")).to_be_visible()
    expect(page.locator("#teams-status")).to_contain_text("Not connected.")
    axe(page, dark_too=True)

    page.get_by_label("Bot app ID").fill("my bot")
    page.get_by_label("Tenant ID").fill(TENANT_ID)
    page.get_by_role("button", name="Save Teams settings").click()
    expect(page.locator(".field--invalid").first).to_contain_text("32 hexadecimal digits")
    axe(page)

    page.get_by_label("Bot app ID").fill(APP_ID)
    page.get_by_label("Client secret").fill(SECRET)
    page.get_by_role("button", name="Save Teams settings").click()
    expect(page.locator("#teams-status")).to_contain_text("not checked yet")
    expect(page.get_by_label("Client secret")).to_have_value("")
    assert SECRET not in page.content()
    axe(page, dark_too=True)
    screenshot(page, "teams-settings.png")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the Teams app package").click()
    package = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == APP_ID

    page.get_by_role("button", name="Disconnect Microsoft Teams").click()
    expect(page.locator("#teams-status")).to_contain_text("Disconnected")
    axe(page)
    assert not TeamsBot.objects.get(organisation=demo).is_connected
