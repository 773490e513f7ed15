"""Every demo person signs in through the real form, finds their part of the home page, walks the
main navigation, and every page they see passes axe-core. Screenshots land in docs/screenshots/.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from playwright.sync_api import FilePayload, Locator, Page, expect

from bridgework.accounts.models import Invitation, Organisation, Person, PrivateProfile

from .helpers import (
    ADMIN_ONLY_NAV,
    DEMO_PEOPLE,
    DESKTOP,
    EVERYONE_NAV,
    PEOPLE_BY_ROLE,
    ROLE_SECTIONS,
    AccessibilityChecker,
    DemoPerson,
    screenshot,
    sign_in,
)

pytestmark = pytest.mark.browser

MOBILE = {"width": 320, "height": 640}


def main_nav(page: Page) -> Locator:
    return page.get_by_role("navigation", name="Main")


def csv_file(content: bytes) -> FilePayload:
    return {"name": "people.csv", "mimeType": "text/csv", "buffer": content}


def nav_labels(page: Page) -> list[str]:
    return [text.strip() for text in main_nav(page).get_by_role("link").all_inner_texts()]


def follow_nav_link(page: Page, label: str) -> None:
    link = main_nav(page).get_by_role("link", name=label, exact=True)
    href = link.get_attribute("href")
    assert href, f"the {label} link has no address"
    with page.expect_navigation(url=href):
        link.click()


def test_sign_in_and_not_found_pages_are_accessible(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    page.goto("/")
    expect(page).to_have_url("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    expect(main_nav(page)).to_have_count(0)
    axe(page)

    # A wrong password keeps you on the form with an error that is announced.
    page.locator("input[name=login]").fill("participant@example.com")
    page.locator("input[name=password]").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    axe(page)

    response = page.goto("/no-such-page/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("We can't find that page")
    axe(page)


@pytest.mark.parametrize("person", DEMO_PEOPLE, ids=lambda person: person.role)
def test_home_navigation_and_profile(
    page: Page, axe: AccessibilityChecker, demo: Organisation, person: DemoPerson
) -> None:
    sign_in(page, person.email)

    # Home greets them and shows exactly the sections their roles bring.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Hello, {person.name}")
    for section in ROLE_SECTIONS:
        heading = page.get_by_role("heading", level=2, name=section, exact=True)
        expect(heading).to_have_count(1 if section in person.sections else 0)
    groups_panel = page.get_by_role("region", name="Your community groups")
    for group in person.groups:
        expect(groups_panel.get_by_text(group, exact=True)).to_be_visible()
    if not person.groups:
        expect(groups_panel).to_contain_text("You are not in a community group.")
    axe(page)

    # Every link in the main navigation opens, is marked as the current page, and passes axe.
    labels = nav_labels(page)
    for label in EVERYONE_NAV:
        assert label in labels, f"{label} missing from the navigation: {labels}"
    for label in ADMIN_ONLY_NAV:
        assert (label in labels) == person.program_admin, f"{label} in {labels}"
    for label in labels:
        follow_nav_link(page, label)
        expect(main_nav(page).get_by_role("link", name=label, exact=True)).to_have_attribute(
            "aria-current", "page"
        )
        expect(main_nav(page).locator("[aria-current=page]")).to_have_count(1)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        axe(page)
        if label == "Home":
            # Home as it looks any time (the "signed in" message only shows once).
            screenshot(page, f"home-{person.role}.png")

    account = page.get_by_role("navigation", name="Your account")
    account.get_by_role("link", name="Profile", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(account.get_by_role("link", name="Profile", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    expect(main_nav(page).locator("[aria-current=page]")).to_have_count(0)
    axe(page)

    # The profile form saves, and the private intention is stored (encrypted) for them alone.
    if not page.url.endswith("/profile/"):
        page.goto("/profile/")
    page.get_by_label("Pronouns").fill("any pronouns")
    page.get_by_label("Why I'm here (private)").fill("To be a better colleague.")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    expect(page.get_by_label("Pronouns")).to_have_value("any pronouns")
    expect(page.get_by_label("Why I'm here (private)")).to_have_value("To be a better colleague.")
    axe(page)
    saved = Person.objects.get(email=person.email)
    assert saved.pronouns == "any pronouns"
    assert PrivateProfile.objects.filter(person=saved).exists()


def test_program_admin_journey(page: Page, axe: AccessibilityChecker, demo: Organisation) -> None:
    # The admin's pages have most kinds of component, so each is checked in both colour schemes.
    sign_in(page, "admin@example.com")
    axe(page, dark_too=True)

    # Invite someone from the home page.
    page.get_by_role("link", name="Invite someone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Invite someone")
    axe(page)
    page.get_by_label("E-mail address").fill("Robin@Example.com")
    page.get_by_label("Name (optional)").fill("Robin Park")
    expect(page.get_by_role("checkbox", name="Participant")).to_be_checked()
    page.get_by_role("checkbox", name="Facilitator").check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_url("/people/")
    expect(page.get_by_role("status")).to_have_text("Invitation sent to robin@example.com.")
    expect(page.get_by_role("row", name="robin@example.com")).to_be_visible()
    axe(page, dark_too=True)
    invitation = Invitation.objects.get(email="robin@example.com")
    assert sorted(invitation.roles) == ["facilitator", "participant"]
    assert [message.to for message in mail.outbox] == [["robin@example.com"]]

    # A CSV with one bad row imports nobody and says which line to fix.
    page.get_by_role("link", name="Invite from a CSV file").click()
    page.get_by_label("CSV file").set_input_files(
        csv_file(
            b"email,name,roles\nana@example.com,Ana,participant\nnot-an-email,Bad Row,participant\n"
        )
    )
    page.get_by_role("button", name="Check and invite").click()
    errors = page.get_by_role("alert")
    expect(errors).to_contain_text("Nothing was imported. Please fix 1 problem:")
    expect(errors.get_by_role("listitem")).to_have_text(
        ["Line 3: 'not-an-email' is not an e-mail address."]
    )
    axe(page, dark_too=True)
    assert not Invitation.objects.filter(email="ana@example.com").exists()

    # A person's detail page.
    main_nav(page).get_by_role("link", name="People").click()
    page.get_by_role("link", name="Alex Rivera").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Alex Rivera")
    expect(page.get_by_role("checkbox", name="Participant")).to_be_checked()
    expect(page.get_by_role("button", name="Deactivate Alex Rivera")).to_be_visible()
    axe(page, dark_too=True)

    # Create a community group.
    main_nav(page).get_by_role("link", name="People").click()
    page.get_by_role("link", name="Manage community groups").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Manage community groups")
    page.get_by_label("Name").fill("Allies Book Club")
    page.get_by_label("Description").fill("One short book a quarter, read together.")
    page.get_by_label("Open to join").uncheck()
    page.get_by_role("button", name="Create group").click()
    expect(page.get_by_role("status")).to_have_text("Group Allies Book Club created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Allies Book Club")
    axe(page, dark_too=True)
    page.get_by_role("link", name="Back to community groups").click()
    expect(page.get_by_role("row", name="Allies Book Club")).to_contain_text("By invitation")


def check_skip_link(page: Page) -> None:
    """The first Tab lands on a visible skip link, and following it puts focus on main."""
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0, f"skip link is off-screen when focused: {box}"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab continues inside main, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")


def test_skip_link_is_first_and_moves_focus_to_main(page: Page, demo: Organisation) -> None:
    page.goto("/accounts/login/")
    check_skip_link(page)
    sign_in(page, "both@example.com")
    page.reload()
    check_skip_link(page)


def scroll_width(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_narrow_screen(
    open_page: Callable[..., Page], axe: AccessibilityChecker, demo: Organisation
) -> None:
    page = open_page(viewport=MOBILE)
    sign_in(page, PEOPLE_BY_ROLE["participant"].email)
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Alex Rivera")
    assert scroll_width(page) <= MOBILE["width"], "the home page scrolls sideways at 320 px"
    screenshot(page, "home-participant-mobile.png")
    axe(page)

    # The program admin's pages (tables, forms) must not scroll sideways either.
    page.context.clear_cookies()
    sign_in(page, "admin@example.com")
    paths = main_nav(page).get_by_role("link").evaluate_all("links => links.map(a => a.href)")
    page.goto("/settings/")
    sections = page.get_by_role("navigation", name="Settings sections").get_by_role("link")
    paths += sections.evaluate_all("links => links.map(a => a.href)")
    wide = []
    for path in [*paths, "/people/invite", "/people/import"]:
        page.goto(path)
        if scroll_width(page) > MOBILE["width"]:
            wide.append(f"{path}: {scroll_width(page)} px")
    assert not wide, "pages scroll sideways at 320 px: " + ", ".join(wide)


def test_dark_mode(
    open_page: Callable[..., Page], axe: AccessibilityChecker, demo: Organisation
) -> None:
    """The participant's home in the dark scheme (the program admin journey checks the other
    kinds of component, like tables, errors and danger buttons, in both schemes)."""
    page = open_page(viewport=DESKTOP, color_scheme="dark")
    page.emulate_media(color_scheme="dark")
    sign_in(page, PEOPLE_BY_ROLE["participant"].email)
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(20, 22, 26)", f"dark theme not applied: {background}"
    page.goto("/")
    screenshot(page, "home-participant-dark.png")
    axe(page)


def test_axe_reports_violations(page: Page, axe: AccessibilityChecker, live_server: object) -> None:
    """Guard against a silently passing checker (e.g. axe blocked by the CSP on our pages)."""
    page.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const input = document.createElement('input');
            document.querySelector('main').append(input);
            document.body.style.color = '#bbb';
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe(page)
    assert "[critical] label" in str(failure.value)
    assert "color-contrast" in str(failure.value)
