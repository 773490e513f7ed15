"""Every word a person reads comes from a translation catalog or from the curriculum's
translations, and the pages work in Spanish, French and right to left.

The crawl signs each demo person in, switches the organisation to the accented pseudo-locale
(`en-xa`: every catalog word accented and bracketed) and follows every link it can reach. Any
visible text with a plain a-z letter that is not someone's own words (inside `dir="auto"`,
`<bdi>` or `translate="no"`) skipped the catalogs and is reported with the page it is on.
"""

from __future__ import annotations

import re
from collections import deque
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person

from .helpers import DEMO_PEOPLE, AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

# Visible text, names given to controls and the page's title with a plain a-z letter in them,
# once someone's own words and addresses are set aside.
UNMARKED_TEXT = """() => {
  const plain = /[A-Za-z]/;
  // Someone's own words: marked as such, typed into a field, or a record picked by its id.
  const ours = (el) => el.closest(
    '[dir=auto], bdi, [translate=no], textarea, script, style, noscript, template')
    || (el.tagName === 'OPTION' && /^\\d+$/.test(el.value));
  // Addresses are not words: https://example.okta.com stays as it is in every language.
  const words = (text) => text.replace(/https?:\\/\\/\\S+|[\\w.+-]+@[\\w.-]+/g, '');
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !plain.test(words(text)) || !el || ours(el)) continue;
    const hidden = !el.checkVisibility({visibilityProperty: true});
    if (hidden && !el.closest('.visually-hidden')) continue;
    found.push(text.slice(0, 80));
  }
  const named = '[aria-label], [placeholder], [title], img[alt], input[type=submit][value]';
  for (const el of document.querySelectorAll(named)) {
    if (ours(el)) continue;
    for (const name of ['aria-label', 'placeholder', 'title', 'alt', 'value']) {
      const value = name === 'value' && el.type !== 'submit' ? '' : (el.getAttribute(name) || '');
      if (plain.test(words(value))) found.push(`${name}="${value.slice(0, 60)}"`);
    }
  }
  // A title may name something people wrote (a thread, a cohort): what the page shows as
  // someone's own words is taken out of it first.
  let title = document.title.replace(/\\bBridgework\\b/g, '');
  const theirs = [...document.querySelectorAll('[dir=auto], bdi')].map(el => el.textContent.trim());
  for (const text of theirs.filter(Boolean).sort((a, b) => b.length - a.length)) {
    title = title.split(text).join('');
  }
  if (plain.test(words(title))) found.push(`<title> ${document.title}`);
  return [...new Set(found)];
}"""

# Links the crawl does not follow: leaving, downloads, and pages that act on a GET.
SKIPPED = re.compile(
    r"/accounts/logout|/static/|\.(csv|ics|zip|json|png|svg|pdf)$|/export|/download|/admin/"
)
# One page per shape: /community/12/ and /community/13/ look alike.
NUMBERS = re.compile(r"/\d+(?=/|$)")
MOST_PAGES_PER_PERSON = 80
MOBILE_WIDTH = 320


def page_shape(path: str) -> str:
    return NUMBERS.sub("/#", path)


def crawl(page: Page, start: str) -> dict[str, list[str]]:
    """Unmarked text by page, for every page of its own shape reachable from `start`."""
    origin = urlsplit(page.url)._replace(path="", query="", fragment="").geturl()
    queue: deque[str] = deque([start])
    seen_shapes: set[str] = set()
    unmarked: dict[str, list[str]] = {}
    while queue and len(seen_shapes) < MOST_PAGES_PER_PERSON:
        path = queue.popleft()
        shape = page_shape(path)
        if shape in seen_shapes:
            continue
        seen_shapes.add(shape)
        response = page.goto(origin + path)
        if (
            response is None
            or response.status >= 400
            or urlsplit(page.url).netloc != urlsplit(origin).netloc
        ):
            continue
        found = page.evaluate(UNMARKED_TEXT)
        if found:
            unmarked[path] = found
        links: list[str] = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => a.getAttribute('href'))"
        )
        for href in links:
            parts = urlsplit(href)
            if parts.netloc or not parts.path.startswith("/") or SKIPPED.search(parts.path):
                continue
            target = parts.path + (f"?{parts.query}" if parts.query else "")
            if page_shape(target) not in seen_shapes:
                queue.append(target)
    return unmarked


def speak(organisation: Organisation, language: str) -> None:
    organisation.default_language = language
    organisation.save(update_fields=["default_language"])
    Person.objects.filter(organisation=organisation).update(language="")


@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda p: p.role)
def test_the_pseudo_locale_crawl_finds_no_text_outside_the_catalogs(
    page: Page, demo: Organisation, person: Any
) -> None:
    sign_in(page, person.email)
    speak(demo, "en-xa")

    unmarked = crawl(page, "/")

    report = "\n".join(f"{path}: {texts}" for path, texts in unmarked.items())
    assert unmarked == {}, f"Text not from a catalog, as {person.role}:\n{report}"


def test_pages_before_sign_in_follow_the_browser_language(
    open_page: Any, demo: Organisation
) -> None:
    page = open_page(locale="en-XA", extra_http_headers={"Accept-Language": "en-xa"})

    unmarked = crawl(page, "/accounts/login/")

    assert unmarked == {}


OVERFLOWING = """() => [...document.querySelectorAll(
    'button, .button, nav a, label, th, h1, h2, h3, .badge, .tag, summary')]
  .filter(el => el.checkVisibility() && el.scrollWidth > el.clientWidth + 1
                && getComputedStyle(el).overflowX !== 'auto')
  .map(el => el.textContent.trim().slice(0, 60))"""


@pytest.mark.parametrize("language", ["es", "fr", "ar-xb"])
@pytest.mark.parametrize("person", DEMO_PEOPLE[:3], ids=lambda p: p.role)
def test_each_role_home_page_reads_well_in_each_language(
    open_page: Any, axe: AccessibilityChecker, demo: Organisation, person: Any, language: str
) -> None:
    for width in (1280, MOBILE_WIDTH):
        page = open_page(viewport={"width": width, "height": 800})
        sign_in(page, person.email)
        speak(demo, language)
        page.goto("/")

        html = page.locator("html")
        expect(html).to_have_attribute("lang", language)
        expect(html).to_have_attribute("dir", "rtl" if language == "ar-xb" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        assert page.evaluate(OVERFLOWING) == []
        axe(page)
        if width == 1280:
            screenshot(page, f"home-{person.role}-{language}.png")
        speak(demo, "en")
