"""A monthly cohort as a facilitator meets it: create it on the emotional-courage module,
shape the first session's run-of-show, download the invite, facilitate, take attendance; five
members who were there answer the pulse, and the facilitator sees the results only once the
pulse has closed. axe-core checks each page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar
from playwright.sync_api import Page, expect

from bridgework.accounts import services as accounts
from bridgework.accounts.models import Organisation, Role
from bridgework.cohorts.models import Attendance, Cohort, PulseAnswer, PulseResponse

from .helpers import DEMO_PASSWORD, SCREENSHOTS, AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

EXTRA = [f"member{n}@example.com" for n in range(1, 5)]


def answer_pulse(page: Page, email: str, session_path: str, useful: str, line: str) -> None:
    page.context.clear_cookies()
    sign_in(page, email)
    page.goto(session_path)
    page.get_by_role("link", name="How was it? Three quick questions").click()
    page.get_by_role("group", name="How useful was this session for you?").get_by_label(
        useful, exact=True
    ).check()
    page.get_by_role("group", name="How safe did it feel to speak?").get_by_label(
        "4", exact=True
    ).check()
    if line:
        page.get_by_label("Anything else, in one line?").fill(line)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")


def test_a_facilitator_runs_a_monthly_cohort(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    for n, email in enumerate(EXTRA, start=1):
        accounts.create_person(
            organisation=demo,
            email=email,
            chosen_name=f"Member {n}",
            password=DEMO_PASSWORD,
            roles={Role.PARTICIPANT},
        )
    # The first session started half an hour ago, so it can be run, checked in to and rated.
    start = (datetime.now(UTC) - timedelta(minutes=30)).astimezone(ZoneInfo("Europe/London"))

    sign_in(page, "facilitator@example.com")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cohorts").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cohorts")
    axe(page, dark_too=True)
    page.get_by_role("link", name="Start a cohort").click()
    axe(page)
    page.get_by_label("Name").fill("Winter circle")
    page.get_by_label("Emotional courage and the four defenses").check()
    page.get_by_label("First session").fill(start.date().isoformat())
    page.get_by_label("Starts at (local time)").fill(start.strftime("%H:%M"))
    page.get_by_label("Time zone").fill("Europe/London")
    # Members are found by name and ticked; each search keeps the people already ticked.
    expect(page.get_by_text("No one chosen yet.")).to_be_visible()
    search = page.get_by_label("Find people")
    search.fill("Alex")
    page.get_by_label("Alex Rivera").check()
    search.fill("Noor")
    expect(page.get_by_role("status").filter(has_text="matches “Noor”")).to_be_visible()
    page.get_by_label("Noor Haddad").check()
    search.fill("member")
    expect(page.get_by_text("Chosen: 2")).to_be_visible()
    expect(page.get_by_label("Alex Rivera")).to_be_checked()
    expect(page.get_by_label("Member 3")).not_to_be_checked()
    expect(page.get_by_text("@example.com")).to_have_count(0)
    axe(page)
    page.locator(".picker").screenshot(path=str(SCREENSHOTS / "cohort-new-picker.png"))
    screenshot(page, "cohort-new.png")
    expect(page.get_by_label("Monthly, on the same weekday")).to_be_checked()
    page.get_by_role("button", name="Create the cohort").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Winter circle")
    axe(page)

    # Bulk enrolment: a bad line is named, nothing is added until it is fixed.
    emails = page.get_by_label("Or paste e-mail addresses")
    emails.fill("\n".join([*EXTRA, "nobody@example.com"]))
    page.get_by_role("button", name="Add to the cohort").click()
    expect(
        page.get_by_text("Line 5: no one here has the address nobody@example.com.")
    ).to_be_visible()
    axe(page)
    page.get_by_label("Or paste e-mail addresses").fill("\n".join(EXTRA))
    page.get_by_role("button", name="Add to the cohort").click()
    expect(page.get_by_role("status").first).to_contain_text("Added 4 people.")
    expect(page.get_by_role("heading", name="Members (6)")).to_be_visible()

    # Settings stay editable after creation, and one more session follows the cadence.
    cohort_url = page.url
    page.get_by_role("link", name="Cohort settings").click()
    axe(page)
    page.get_by_label("Let people in the organisation ask to join").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved the cohort's settings.")
    page.get_by_role("button", name="Add a session").click()
    expect(page.get_by_role("status").first).to_contain_text("Added session 7.")
    axe(page)
    page.goto(cohort_url)

    page.get_by_role("link", name="Session 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session 1: Emotional courage")
    session_path = page.url.removeprefix(page.url.split("/cohorts/")[0])
    axe(page)

    # Shape the run-of-show: move, edit, add; the total follows.
    page.get_by_role("link", name="Change the run-of-show").click()
    axe(page)
    items = page.locator(".run-item strong")
    first_title = items.nth(0).inner_text()
    second_title = items.nth(1).inner_text()
    page.get_by_role("button", name=f"move “{first_title}” later").click()
    expect(items.nth(0)).to_have_text(second_title)
    expect(items.nth(1)).to_have_text(first_title)
    expect(page.locator("#run-status")).to_have_text(f"Moved “{first_title}” down.")
    page.get_by_role("button", name=f"move “{first_title}” earlier").click()
    expect(items.nth(0)).to_have_text(first_title)
    page.get_by_role("link", name=f"Edit “{first_title}”").click()
    axe(page)
    page.get_by_label("Minutes").fill("8")
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Title").fill("Stretch break")
    page.get_by_label("Minutes").fill("5")
    page.get_by_role("button", name="Add to the end").click()
    expect(items.last).to_have_text("Stretch break")
    expect(page.locator(".run-total")).to_contain_text("minutes planned")
    axe(page)

    # The invite is a real calendar file in the cohort's zone.
    page.get_by_role("link", name="Back to the session").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar = Calendar.from_ical(download.value.path().read_bytes())
    [found] = calendar.walk("VEVENT")
    event: Any = found
    cohort = Cohort.objects.get(name="Winter circle")
    session = cohort.sessions.order_by("number").first()
    assert session is not None
    assert str(event["UID"]) == f"session-{session.uid}@bridgework"
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTSTART"].dt.strftime("%H:%M") == start.strftime("%H:%M")
    assert int(event["SEQUENCE"]) == 0

    # Facilitate: the current part is large, with a timer and private notes.
    page.get_by_role("link", name="Facilitate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first_title)
    expect(page.get_by_text("Planned: 8 minutes")).to_be_visible()
    page.get_by_role("button", name="Start timer").click()
    expect(page.get_by_role("timer")).to_have_text("7:59", timeout=30_000)
    page.get_by_role("button", name="Pause timer").click()
    axe(page, dark_too=True)
    page.get_by_label("Your private notes").fill("Noor offered to go first next time.")
    page.get_by_role("button", name="Save notes").click()
    expect(page.locator("#note-status")).to_contain_text("Saved at")
    page.get_by_role("link", name="Next part").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(second_title)
    page.locator(".run-outline a").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stretch break")
    page.get_by_role("link", name="Finish: take attendance").click()
    axe(page)
    for name in ("Alex Rivera", "Member 1", "Member 2", "Member 3"):
        page.get_by_role("group", name=name).get_by_label("Present").check()
    page.get_by_role("group", name="Member 4").get_by_label("Absent").check()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status").first).to_contain_text("Attendance saved.")
    assert Attendance.objects.filter(session=session, status="present").count() == 4

    # Member 4 was not there: the pulse is not theirs to answer, and the page says why.
    with time_machine.travel(session.pulse_opens_at + timedelta(minutes=1)):
        page.context.clear_cookies()
        sign_in(page, EXTRA[3])
        page.goto(session_path)
        expect(
            page.get_by_text("The feedback pulse is for members who were at the session")
        ).to_be_visible()
        expect(page.get_by_role("link", name="How was it? Three quick questions")).to_have_count(0)
        axe(page)
        screenshot(page, "cohort-pulse-not-there.png")

    # One member checks themselves in; five answer the pulse.
    page.context.clear_cookies()
    sign_in(page, "both@example.com")
    page.goto(session_path)
    axe(page)
    page.get_by_role("button", name="Check in: I'm here").click()
    expect(page.get_by_text("You're checked in.", exact=True)).to_be_visible()
    # The pulse waits for the session's last ten minutes: nothing to rate before anything
    # has happened.
    expect(page.get_by_role("link", name="How was it? Three quick questions")).to_have_count(0)
    opens = f"{session.pulse_opens_at.astimezone(ZoneInfo('Europe/London')):%H:%M}"
    expect(page.get_by_text(f"open here at {opens}, in its last ten minutes")).to_be_visible()
    screenshot(page, "cohort-pulse-not-yet.png")
    with time_machine.travel(session.pulse_opens_at + timedelta(minutes=1)):
        page.reload()
        page.get_by_role("link", name="How was it? Three quick questions").click()
        axe(page)
        page.get_by_role("button", name="Send").click()
        expect(
            page.get_by_role("group", name="How useful was this session for you?")
        ).to_contain_text("Choose a number from 1 to 5.")
        axe(page)
        page.goto(session_path)
        answer_pulse(page, "both@example.com", session_path, "5", "The opening round helped.")
        axe(page)
        for n, email in enumerate(["participant@example.com", *EXTRA[:2]], start=1):
            answer_pulse(page, email, session_path, str(n + 1), "")

        page.context.clear_cookies()
        sign_in(page, "facilitator@example.com")
        page.goto(session_path)
        # While the pulse is open, not even how many have answered is given.
        expect(page.get_by_text(re.compile(r"\d+ of \d+ members?|so far"))).to_have_count(0)
        closes = f"{session.pulse_closes_at.astimezone(ZoneInfo('Europe/London')):%-d %B %Y}"
        expect(
            page.get_by_text(f"Results appear on {closes}, when the pulse closes")
        ).to_be_visible()
        expect(page.get_by_role("table")).to_have_count(0)

        # A fifth answer, and the pulse still open: nothing shows, so no answer can be read as
        # it arrives.
        answer_pulse(page, EXTRA[2], session_path, "4", "")
        page.context.clear_cookies()
        sign_in(page, "facilitator@example.com")
        page.goto(session_path)
        expect(page.get_by_text("5 of 5")).to_have_count(0)
        expect(
            page.get_by_text(f"Results appear on {closes}, when the pulse closes")
        ).to_be_visible()
        expect(page.get_by_role("table")).to_have_count(0)
        axe(page)
        screenshot(page, "cohort-pulse-open.png")

    # Two weeks on, the pulse has closed and the totals appear. Sessions expire with the
    # clock too, so the facilitator signs in again.
    with time_machine.travel(session.pulse_closes_at + timedelta(minutes=1)):
        page.context.clear_cookies()
        sign_in(page, "facilitator@example.com")
        page.goto(session_path)
        expect(page.get_by_text("5 of 5")).to_be_visible()
        expect(page.get_by_text("Results appear on")).to_have_count(0)
        # Each question as two sides, never a row per value or an average: all five rated
        # "safe" 4, and a row holding 5 would have said so of each of them.
        expect(page.get_by_role("table")).to_have_count(0)
        results = page.locator(".pulse-results")
        expect(results).to_contain_text("How useful the session was")
        expect(results).to_contain_text("How safe it felt to speak")
        expect(
            results.get_by_text("More than half of the 5 who answered rated it 4 or 5.")
        ).to_have_count(2)
        expect(page.get_by_text("The opening round helped.")).to_have_count(0)  # under 10 answers
        axe(page, dark_too=True)
        screenshot(page, "cohort-pulse-closed.png")
    assert PulseResponse.objects.filter(session=session).count() == 5
    assert PulseAnswer.objects.filter(session=session).count() == 5

    # The handout, as it prints.
    page.get_by_role("link", name="Handout").click()
    expect(page.get_by_role("heading", name="Questions we'll talk about")).to_be_visible()
    axe(page)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".breadcrumb")).to_be_hidden()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / "session-handout-print.png"), full_page=True, animations="disabled"
    )
    page.emulate_media(media="screen")
