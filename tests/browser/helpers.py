"""Shared pieces of the browser tests: the demo cast, signing in, axe-core, screenshots."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

CHROMIUM = os.environ.get("BRIDGEWORK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DEMO_PASSWORD = "demo-browser-test-password"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}


@dataclass(frozen=True)
class DemoPerson:
    role: str  # used in screenshot names
    email: str
    name: str
    sections: tuple[str, ...]  # h2 headings on their home page that belong to their roles
    groups: tuple[str, ...]  # community groups listed on their home page
    program_admin: bool = False


# Links in the main navigation: everyone's, and the program admin's alone. Other links may be
# there too (the tests walk whatever the navigation holds). "Profile" sits beside "Sign out".
EVERYONE_NAV = ("Home", "Community groups")
ADMIN_ONLY_NAV = ("People",)
ROLE_SECTIONS = ("Program admin", "Facilitator", "Your practice")

DEMO_PEOPLE = [
    DemoPerson("participant", "participant@example.com", "Alex Rivera", ("Your practice",), ()),
    DemoPerson(
        "facilitator",
        "facilitator@example.com",
        "Fatima Okafor",
        ("Facilitator", "Your practice"),
        (),
    ),
    DemoPerson(
        "program-admin",
        "admin@example.com",
        "Jordan Lee",
        ("Program admin",),
        (),
        program_admin=True,
    ),
    DemoPerson(
        "community-group-member", "member@example.com", "Sam Chen", (), ("Disability Network",)
    ),
    DemoPerson(
        "participant-and-member",
        "both@example.com",
        "Noor Haddad",
        ("Your practice",),
        ("Disability Network", "Parents at Work"),
    ),
]
PEOPLE_BY_ROLE = {person.role: person for person in DEMO_PEOPLE}

# Only violations come back from the page: "passes" and "inapplicable" would be ~50 kB per run.
AXE_OPTIONS = {"resultTypes": ["violations"], "reporter": "no-passes"}


class AccessibilityChecker:
    """Runs axe-core on a page as it is now and fails with a readable list of every violation.

    axe-core only sees the document, its styles, the colour scheme and the window width, so a
    page whose markup is identical to one already checked in this session (the same address,
    scheme, width and HTML, apart from CSRF tokens, nonces and the one-off messages such as
    "Successfully signed in", which are checked on the pages that save something) is not
    checked again: e.g. the home page reached again through the navigation, or a page that
    looks the same for several demo people.
    """

    def __init__(self, axe: Axe) -> None:
        self.axe = axe
        self.checked: set[tuple[str, str]] = set()

    def __call__(self, page: Page, *, dark_too: bool = False) -> None:
        """Check the page; with dark_too, check it again in the dark colour scheme."""
        self._check(page)
        if dark_too:
            page.emulate_media(color_scheme="dark")
            self._check(page)
            page.emulate_media(color_scheme="light")

    @staticmethod
    def _settled_markup(page: Page) -> str:
        """The page's markup once any navigation has finished. A click that navigates returns
        before the next document exists: on a loaded machine the page may then have no
        document element yet, or its script context may be torn down under the call. Each
        try waits for a loaded document (within the page's default timeout), so the number of
        tries, not a clock, bounds the wait."""
        for _ in range(20):
            try:
                page.wait_for_load_state("load")
                page.wait_for_function("() => document.documentElement !== null")
                return str(page.evaluate(SETTLED_MARKUP))
            except PlaywrightError as error:
                if "context was destroyed" not in str(error) and "null" not in str(error):
                    raise
        pytest.fail(f"{page.url} kept navigating; axe-core had no settled page to check.")

    def _check(self, page: Page) -> None:
        state = self._settled_markup(page)
        key = (page.url, hashlib.sha256(state.encode()).hexdigest())
        if key in self.checked:
            return
        results = self.axe.run(page, options=AXE_OPTIONS)
        if results.violations_count:
            pytest.fail(violation_report(page.url, results.response["violations"]), pytrace=False)
        self.checked.add(key)


def open_tips(page: Page, axe: AccessibilityChecker) -> None:
    """Go to Tips through the main navigation and check the page."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Tips").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tips for everyday allyship")
    axe(page)


SETTLED_MARKUP = """() => {
    const copy = document.documentElement.cloneNode(true);
    copy.querySelectorAll('[name=csrfmiddlewaretoken]').forEach(e => e.remove());
    copy.querySelectorAll('[nonce]').forEach(e => e.removeAttribute('nonce'));
    copy.querySelectorAll('.messages').forEach(e => e.remove());
    const scheme = matchMedia('(prefers-color-scheme: dark)').matches;
    return `${scheme ? 'dark' : 'light'} ${innerWidth}\n${copy.outerHTML}`;
}"""


def violation_report(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core found {len(violations)} violation(s) on {url}:"]
    for violation in violations:
        lines.append(
            f"\n[{violation['impact']}] {violation['id']}: {violation['help']}"
            f"\n  {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            lines.append(f"  - {', '.join(map(str, node['target']))}")
            lines.append(f"    {node['html'][:300]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("/")


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
