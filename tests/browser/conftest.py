"""Browser tests: a real (Debian) Chromium driven by Playwright against pytest-django's live server.

One browser for the whole session, a fresh browser context (cookies, storage) for every test.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from bridgework.accounts.demo import create_demo
from bridgework.accounts.models import Organisation

from .database_copy import DatabaseCopy
from .helpers import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DESKTOP, AccessibilityChecker


@pytest.fixture(scope="package")
def playwright_driver() -> Iterator[Playwright]:
    # Playwright's sync API runs an asyncio event loop in this thread; without the variable
    # Django refuses ORM calls made from the test itself (creating the demo, checking what
    # was saved). Both live only while the browser tests run, so neither leaks into other
    # tests or the subprocesses they start.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as driver:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield driver


@pytest.fixture(scope="package")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = (
            f"No Chromium at {CHROMIUM} (apt-get install chromium, or set BRIDGEWORK_CHROMIUM)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)  # CI must run the browser tests, never skip them quietly
        pytest.skip(message)
    chromium = playwright_driver.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_engine() -> Axe:
    return Axe()


@pytest.fixture(scope="session")
def axe(axe_engine: Axe) -> AccessibilityChecker:
    """Call axe(page) to check the page as it is now."""
    return AccessibilityChecker(axe_engine)


_shipped_content: dict[Path, Any] = {}


def _parse_shipped_content_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test creates the demo afresh and, with it, imports the curriculum that ships with
    Bridgework. Parsing those Markdown files once per session, not once per test, saves about
    0.6 s a test. Only the shipped folder is cached, and only while a browser test runs."""
    try:
        from bridgework.curriculum import services as curriculum
    except ImportError:
        return
    load_tree = getattr(curriculum, "load_tree", None)
    shipped = getattr(curriculum, "SHIPPED_CONTENT", None)
    if load_tree is None or shipped is None:
        return

    def load_once(root: Path) -> Any:
        if root != shipped:
            return load_tree(root)
        if root not in _shipped_content:
            _shipped_content[root] = load_tree(root)
        return _shipped_content[root]

    monkeypatch.setattr(curriculum, "load_tree", load_once)


_demo_snapshot: dict[str, Any] = {}


@pytest.fixture
def demo(transactional_db: None, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Organisation:
    """The demo organisation, as `create_demo` makes it. Making it takes seconds (a year of
    insights history), so each test process makes it once a day and copies the database as
    it then was back in for every later test: the same rows, numbers and sequences."""
    settings.DEMO_PASSWORD = DEMO_PASSWORD
    _parse_shipped_content_once(monkeypatch)
    today = timezone.localdate()
    if _demo_snapshot.get("day") != today:
        _demo_snapshot.clear()
        organisation = create_demo()
        _demo_snapshot.update(day=today, copy=DatabaseCopy.take())
        return organisation
    _demo_snapshot["copy"].restore()
    return Organisation.objects.get(is_demo=True)


@dataclass
class PageProblems:
    """JavaScript errors and Content-Security-Policy violations seen while a test ran."""

    errors: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        # "Failed to load resource" repeats an HTTP status; _response judges those instead.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console error: {message.text}")

    def _response(self, response: Any) -> None:
        # Pages may answer 400 or 404 on purpose (tests check those); what they load may not.
        # Chromium asks for /favicon.ico on its own; Bridgework does not link one.
        request = response.request
        if (
            response.status >= 400
            and request.resource_type != "document"
            and not request.url.endswith("/favicon.ico")
        ):
            self.errors.append(f"{response.status} for {request.resource_type} {request.url}")


@pytest.fixture
def page_problems() -> PageProblems:
    return PageProblems()


def new_page(browser: Browser, base_url: str, problems: PageProblems, **options: Any) -> Page:
    options.setdefault("viewport", DESKTOP)
    context = browser.new_context(base_url=base_url, **options)
    # Generous: CI runs on a loaded 2-core machine, and a slow page is not a failed one.
    context.set_default_timeout(30_000)
    page = context.new_page()
    problems.watch(page)
    return page


@pytest.fixture
def page(browser: Browser, live_server: Any, page_problems: PageProblems) -> Iterator[Page]:
    """A desktop-sized page in a fresh context, closed after the test."""
    tab = new_page(browser, live_server.url, page_problems)
    yield tab
    tab.context.close()
    assert not page_problems.errors, "\n".join(page_problems.errors)


@pytest.fixture
def open_page(browser: Browser, live_server: Any, page_problems: PageProblems) -> Iterator[Any]:
    """Make pages with other context options (viewport, colour scheme); all closed afterwards."""
    pages: list[Page] = []

    def make(**options: Any) -> Page:
        tab = new_page(browser, live_server.url, page_problems, **options)
        pages.append(tab)
        return tab

    yield make
    for tab in pages:
        tab.context.close()
    assert not page_problems.errors, "\n".join(page_problems.errors)


@pytest.fixture(autouse=True)
def _fresh_sign_in_limits() -> Iterator[None]:
    """Each test starts with empty sign-in rate limits. They live in the cache of the one
    server process every test shares, and a test that moves the clock forward leaves attempts
    dated in the future that would otherwise count against every later sign-in."""
    cache.clear()
    yield
