"""Every control is at least 24 by 24 CSS pixels (WCAG 2.2, 2.5.8 target size): radios and
checkboxes, buttons, selects and the links styled as buttons or standing alone in a row of
actions. Measured in the browser on the pages with the most controls, with axe-core's own
target-size rule (off by default in axe) and with getBoundingClientRect for each input."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from bridgework.accounts.models import Organisation
from bridgework.community.models import Thread

from .helpers import sign_in, violation_report

pytestmark = pytest.mark.browser

MINIMUM = 24
# Controls a person aims at. Links inside running text are exempt in WCAG (they follow the
# line height of the sentence), so only links that stand alone as actions are measured.
CONTROLS = ", ".join(
    [
        "input:not([type=hidden])",
        "select",
        "textarea",
        "button",
        "summary",
        "a.button",
        ".actions > a",
        ".community-post__actions > a",
        ".pager a",
    ]
)
MEASURE = """(selector) => [...document.querySelectorAll(selector)]
    .filter((e) => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden')
    .map((e) => {
        const box = e.getBoundingClientRect();
        const name = e.id || e.name || e.textContent.trim().slice(0, 40);
        return {tag: e.tagName.toLowerCase(), type: e.type || '', name, width: box.width,
                height: box.height};
    })"""


def too_small(page: Page) -> list[dict[str, Any]]:
    return [
        control
        for control in page.evaluate(MEASURE, CONTROLS)
        if control["width"] < MINIMUM - 0.01 or control["height"] < MINIMUM - 0.01
    ]


def check_targets(page: Page, axe_engine: Axe, path: str) -> int:
    page.goto(path)
    small = too_small(page)
    assert small == [], f"controls under {MINIMUM} px on {path}: {small}"
    results = axe_engine.run(
        page,
        options={
            "runOnly": {"type": "rule", "values": ["target-size"]},
            "resultTypes": ["violations"],
        },
    )
    if results.violations_count:
        pytest.fail(violation_report(page.url, results.response["violations"]), pytrace=False)
    return len(page.evaluate(MEASURE, "input[type=radio], input[type=checkbox]"))


def test_every_control_on_the_busiest_pages_is_at_least_24_pixels(
    page: Page, axe_engine: Axe, demo: Organisation
) -> None:
    thread = Thread.objects.filter(space__organisation=demo, space__audience="organisation")
    first = thread.order_by("pk").first()
    assert first is not None
    sign_in(page, "facilitator@example.com")
    paths = [
        "/practice/assessment/",
        "/cohorts/new",
        "/community/",
        f"/community/{first.space_id}/",
        f"/community/threads/{first.pk}/",
        "/practice/",
    ]
    choices = {path: check_targets(page, axe_engine, path) for path in paths}
    # The pages measured do hold radios and checkboxes (the assessment's scale, the modules
    # and cadence of a new cohort): a check that found nothing would prove nothing.
    assert choices["/practice/assessment/"] > 20
    assert choices["/cohorts/new"] > 3
