"""What a participant sees of the rough edges fixed in issue 24 (Reflection and profile): the
wheel's labels fit at desktop and phone width, new notes greet them on Home with mute and
block behind a quiet menu, My data updates itself, deletes ask first, and the time zone lives
in the profile, linked from wherever times are shown. axe-core checks every page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts.models import Organisation, Person
from bridgework.reflection import services
from bridgework.reflection.content import DIMENSIONS
from bridgework.reflection.models import DataExport, RoleModel

from .helpers import SCREENSHOTS, AccessibilityChecker, screenshot, sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def a_full_map(person: Person) -> None:
    values = {d.slug: {"overall": n % 5 + 1, "team": 5 - n % 5} for n, d in enumerate(DIMENSIONS)}
    services.save_map(
        person=person,
        data={
            "dimensions": values,
            "custom": [{"name": "Being the only parent on the team", "values": {"overall": 2}}],
        },
    )


def outside_the_drawing(page: Page) -> list[str]:
    """Labels of the wheel that stick out of the drawing, as the browser lays them out."""
    return list(
        page.evaluate(
            """() => {
                const svg = document.querySelector('svg.wheel');
                const box = svg.viewBox.baseVal;
                return [...svg.querySelectorAll('text')].filter(text => {
                    const b = text.getBBox();
                    return b.x < box.x || b.y < box.y || b.x + b.width > box.x + box.width
                        || b.y + b.height > box.y + box.height;
                }).map(text => text.textContent);
            }"""
        )
    )


def labels_on_spokes(page: Page) -> list[str]:
    """Labels that a spoke line runs through."""
    return list(
        page.evaluate(
            """() => {
                const svg = document.querySelector('svg.wheel');
                const lines = [...svg.querySelectorAll('line')];
                const crosses = (b, l) => {
                    // Sample the spoke; any point inside the label's box is a crossing.
                    const [x1, y1] = [l.x1.baseVal.value, l.y1.baseVal.value];
                    const [x2, y2] = [l.x2.baseVal.value, l.y2.baseVal.value];
                    for (let t = 0; t <= 1; t += 0.01) {
                        const x = x1 + t * (x2 - x1);
                        const y = y1 + t * (y2 - y1);
                        const inX = x > b.x && x < b.x + b.width;
                        if (inX && y > b.y && y < b.y + b.height) return true;
                    }
                    return false;
                };
                return [...svg.querySelectorAll('text')]
                    .filter(text => lines.some(line => crosses(text.getBBox(), line)))
                    .map(text => text.textContent);
            }"""
        )
    )


def test_the_wheel_labels_fit_on_a_desktop_and_a_phone(
    open_page: Any, axe: AccessibilityChecker, demo: Organisation
) -> None:
    a_full_map(Person.objects.get(email="participant@example.com"))
    for name, viewport in (("desktop", {"width": 1280, "height": 800}), ("phone", PHONE)):
        page = open_page(viewport=viewport)
        sign_in(page, "participant@example.com")
        page.goto("/reflect/map/")
        wheel = page.get_by_role("img", name="Your social location wheel")
        expect(wheel).to_be_visible()
        expect(wheel).to_contain_text("Gender")
        expect(wheel).to_contain_text("identity")
        assert outside_the_drawing(page) == []
        assert labels_on_spokes(page) == []
        expect(page.locator("figcaption")).to_contain_text("About even")
        page.locator("figure.wheel-figure").screenshot(
            path=str(SCREENSHOTS / f"reflect-wheel-{name}.png"), animations="disabled"
        )
        axe(page)


def test_new_notes_greet_on_home_and_mute_waits_behind_a_menu(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    noor = Person.objects.get(email="both@example.com")
    alex = Person.objects.get(email="participant@example.com")
    services.send_note(
        sender=noor, recipient=alex, kind="recognition", text="You made room for me today."
    )
    sign_in(page, "participant@example.com")

    panel = page.get_by_role("region", name="A new note for you")
    expect(panel).to_contain_text("Recognition note from Noor Haddad")
    expect(panel).not_to_contain_text("You made room for me today.")
    axe(page)
    screenshot(page, "home-new-note.png")
    panel.get_by_role("link", name="Read it").click()
    expect(page.get_by_text("You made room for me today.")).to_be_visible()
    mute = page.get_by_role("button", name="Mute Noor Haddad")
    expect(mute).to_be_hidden()

    # The "…" menu opens from the keyboard.
    page.locator("summary", has_text="More about notes from Noor Haddad").focus()
    page.keyboard.press("Enter")
    expect(mute).to_be_visible()
    axe(page)
    screenshot(page, "notes-menu-open.png")
    page.keyboard.press("Tab")
    expect(mute).to_be_focused()

    page.goto("/")
    expect(page.get_by_role("heading", name="A new note for you")).to_have_count(0)


def test_my_data_shows_progress_and_then_the_download_without_a_reload(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    alex = Person.objects.get(email="participant@example.com")
    export = DataExport.objects.create(person=alex)  # queued, not yet built
    sign_in(page, "participant@example.com")
    page.goto("/reflect/my-data/")
    expect(page.get_by_role("status")).to_contain_text("Gathering your data")
    expect(page.get_by_role("button", name="Prepare my data")).to_have_count(0)
    axe(page)
    screenshot(page, "my-data-preparing.png")

    services.build_export(export)

    expect(page.get_by_text("Your data is ready.")).to_be_visible()
    expect(page.get_by_role("link", name="Download as JSON")).to_have_count(1)
    axe(page)
    screenshot(page, "my-data-ready.png")


def test_the_time_zone_and_account_deletion_live_in_the_profile(
    page: Page, axe: AccessibilityChecker, demo: Organisation
) -> None:
    alex = Person.objects.get(email="participant@example.com")
    item = services.save_role_model(person=alex, name="Rosa")
    sign_in(page, "participant@example.com")

    page.goto(f"/reflect/role-models/{item.pk}/coffee-chat")
    expect(page.get_by_role("navigation", name="Reflect")).to_be_visible()
    expect(page.get_by_text("Times are in UTC")).to_be_visible()
    page.get_by_role("link", name="change your time zone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your time zone")
    axe(page)
    page.get_by_label("My time zone").select_option("Europe/Berlin")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Times are in Europe/Berlin")).to_be_visible()
    assert page.url.endswith(f"/reflect/role-models/{item.pk}/coffee-chat")
    alex.refresh_from_db()
    assert alex.time_zone == "Europe/Berlin"

    page.get_by_role("navigation", name="Your account").get_by_role("link", name="Profile").click()
    expect(page.get_by_text("Europe/Berlin")).to_be_visible()
    axe(page)
    screenshot(page, "profile-time-zone-and-delete.png")
    page.get_by_role("link", name="Delete my account…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete my account")
    axe(page)
    page.get_by_role("link", name="Keep my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your profile")

    # Deleting a role-model ally asks first, and keeping them changes nothing.
    page.goto(f"/reflect/role-models/{item.pk}/")
    page.get_by_role("link", name="Delete Rosa and the goals…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete Rosa?")
    axe(page)
    page.get_by_role("link", name="Keep them").click()
    assert RoleModel.objects.filter(pk=item.pk).exists()
    page.get_by_role("link", name="Delete Rosa and the goals…").click()
    page.get_by_role("button", name="Delete Rosa").click()
    expect(page.get_by_role("status").first).to_contain_text("Deleted")
    assert not RoleModel.objects.filter(pk=item.pk).exists()
