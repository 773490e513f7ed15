"""Starting a cohort: a people picker that searches instead of listing everyone (and works
without JavaScript), the organisation's own time zone as the default, and a page whose size
and queries do not grow with the organisation."""

from __future__ import annotations

import re
import zoneinfo

import pytest
from django.utils import timezone

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.cohorts.models import Cohort

from .cohorts_support import NEW_COHORT, make_cohort
from .conftest import Cast, CountQueries, make_person

# On a stopped clock: nothing here depends on the day the suite runs.
pytestmark = pytest.mark.usefixtures("clock")

FORM = {**NEW_COHORT, "description": "Zz described"}


def colleagues(organisation: Organisation, count: int, start: int = 0) -> list[Person]:
    return [
        make_person(organisation, f"c{n}@acme.test", f"Colleague {n:03d}", {Role.PARTICIPANT})
        for n in range(start, start + count)
    ]


def ticked(page: str) -> set[str]:
    return set(re.findall(r'name="members" value="(\d+)"[^>]*checked', page))


def offered(page: str) -> set[str]:
    return set(re.findall(r'name="members" value="(\d+)"', page))


def test_the_page_lists_neither_everyone_nor_every_time_zone(
    cast: Cast, organisation: Organisation
) -> None:
    colleagues(organisation, 30)
    page = cast.client("facilitator").get("/cohorts/new").content.decode()
    assert "Colleague" not in page and "@acme.test" not in page
    assert offered(page) == set()
    assert "Find people" in page and "No one chosen yet." in page
    assert "Pacific/Chatham" not in page
    assert page.count("<option") < 10


def test_the_time_zone_starts_as_the_one_the_organisation_meets_in(
    cast: Cast, organisation: Organisation
) -> None:
    client = cast.client("facilitator")
    fresh = client.get("/cohorts/new").content.decode()
    assert 'name="time_zone" value="UTC"' in fresh  # BRIDGEWORK_TIME_ZONE, before any cohort
    assert 'name="start_time" value="16:00:00"' in fresh
    for name in ("One", "Two"):
        make_cohort(cast.facilitator, start=timezone.localdate(), zone="Asia/Kolkata", name=name)
    make_cohort(cast.facilitator, start=timezone.localdate(), zone="Europe/Berlin", name="Three")
    page = client.get("/cohorts/new").content.decode()
    assert 'name="time_zone" value="Asia/Kolkata"' in page
    assert '<option value="Europe/Berlin">' in page  # suggested too


def test_a_time_zone_is_typed_in_any_case_and_a_wrong_one_is_named(cast: Cast) -> None:
    client = cast.client("facilitator")
    wrong = client.post("/cohorts/new", {**FORM, "time_zone": "Europe/Atlantis"})
    assert wrong.status_code == 400
    assert "“Europe/Atlantis” is not a time zone name we know" in wrong.content.decode()
    response = client.post("/cohorts/new", {**FORM, "time_zone": "america/new york"})
    assert response.status_code == 302
    assert Cohort.objects.get().time_zone == "America/New_York"
    assert "America/New_York" in zoneinfo.available_timezones()


def test_a_search_without_javascript_keeps_what_was_typed_and_who_was_ticked(
    cast: Cast, organisation: Organisation
) -> None:
    people = colleagues(organisation, 3)
    sam = make_person(organisation, "sam@acme.test", "Sam Okoye", {Role.PARTICIPANT})
    client = cast.client("facilitator")
    response = client.post(
        "/cohorts/new",
        {**FORM, "members": [people[0].pk], "member_search": "sam", "find": "1"},
    )
    assert response.status_code == 200
    assert not Cohort.objects.exists()
    page = response.content.decode()
    assert 'value="Spring circle"' in page and "Zz described" in page
    assert ticked(page) == {str(people[0].pk)}
    assert offered(page) == {str(people[0].pk), str(sam.pk)}
    assert "1 person matches “<bdi>sam</bdi>”" in page
    assert "errorlist" not in page and "field__errors" not in page
    # Ticking Sam and searching again keeps both.
    again = client.post(
        "/cohorts/new",
        {**FORM, "members": [people[0].pk, sam.pk], "member_search": "colleague 00", "find": "1"},
    ).content.decode()
    assert ticked(again) == {str(people[0].pk), str(sam.pk)}
    assert offered(again) == {str(p.pk) for p in people} | {str(sam.pk)}
    # Creating the cohort takes the ticked people.
    created = client.post("/cohorts/new", {**FORM, "members": [people[0].pk, sam.pk]})
    assert created.status_code == 302
    cohort = Cohort.objects.get()
    assert set(cohort.memberships.values_list("person_id", flat=True)) == {people[0].pk, sam.pk}


def test_htmx_swaps_only_the_results_while_someone_types(
    cast: Cast, organisation: Organisation
) -> None:
    colleagues(organisation, 2)
    response = cast.client("facilitator").post(
        "/cohorts/new",
        {**FORM, "member_search": "Colleague", "find": "1"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "<form" not in page and "<h1" not in page
    assert page.count('name="members"') == 2
    assert 'id="member-status"' in page and 'hx-swap-oob="true"' in page


def test_an_e_mail_address_shows_only_beside_a_name_two_people_share(
    cast: Cast, organisation: Organisation
) -> None:
    make_person(organisation, "alex.k@acme.test", "Alex Kim", {Role.PARTICIPANT})
    make_person(organisation, "alex.kim@acme.test", "Alex Kim", {Role.PARTICIPANT})
    make_person(organisation, "alexa@acme.test", "Alexa Reyes", {Role.PARTICIPANT})
    page = (
        cast.client("facilitator")
        .post("/cohorts/new", {**FORM, "member_search": "alex", "find": "1"})
        .content.decode()
    )
    assert "alex.k@acme.test" in page and "alex.kim@acme.test" in page
    assert "Alexa Reyes" in page and "alexa@acme.test" not in page


def test_a_short_query_asks_for_more_and_many_matches_are_capped(
    cast: Cast, organisation: Organisation
) -> None:
    colleagues(organisation, 25)
    client = cast.client("facilitator")
    short = client.post("/cohorts/new", {**FORM, "member_search": "c", "find": "1"})
    assert "Type at least two letters" in short.content.decode()
    assert offered(short.content.decode()) == set()
    many = client.post("/cohorts/new", {**FORM, "member_search": "colleague", "find": "1"})
    page = many.content.decode()
    assert len(offered(page)) == 20
    assert "The first 20 people matching “<bdi>colleague</bdi>” are shown" in page


def test_someone_from_another_organisation_cannot_be_ticked_in(cast: Cast) -> None:
    response = cast.client("facilitator").post(
        "/cohorts/new", {**FORM, "members": [cast.stranger.pk]}
    )
    assert response.status_code == 400
    assert not Cohort.objects.exists()
    picked = cast.client("facilitator").post(
        "/cohorts/new", {**FORM, "members": [cast.stranger.pk], "find": "1"}
    )
    assert "Sid Stranger" not in picked.content.decode()


def test_the_page_and_a_search_cost_the_same_queries_for_few_or_many_people(
    cast: Cast, organisation: Organisation, count_queries: CountQueries
) -> None:
    client = cast.client("facilitator")
    few = colleagues(organisation, 3)
    search = {**FORM, "member_search": "colleague", "find": "1"}
    small = (
        count_queries(client.get, "/cohorts/new"),
        count_queries(client.post, "/cohorts/new", {**search, "members": [few[0].pk]}),
    )
    many = colleagues(organisation, 60, start=3)
    chosen = [p.pk for p in many[:30]]
    large = (
        count_queries(client.get, "/cohorts/new"),
        count_queries(client.post, "/cohorts/new", {**search, "members": chosen}),
    )
    assert small == large == (5, 8)


def test_adding_people_later_uses_the_same_picker_and_never_lists_everyone(
    cast: Cast, organisation: Organisation
) -> None:
    people = colleagues(organisation, 4)
    cohort = make_cohort(cast.facilitator, [people[0]], start=timezone.localdate())
    client = cast.client("facilitator")
    page = client.get(f"/cohorts/{cohort.pk}/").content.decode()
    assert "Colleague 001" not in page and "c1@acme.test" not in page
    path = f"/cohorts/{cohort.pk}/enrol"
    search = {"member_search": "colleague", "people": [people[1].pk], "find": "1"}
    found = client.post(path, {**search, "emails": "zz@acme.test"})
    assert found.status_code == 200
    text = found.content.decode()
    # Already a member: not offered. Ticked: kept. The pasted addresses stay as typed.
    assert f'name="people" value="{people[0].pk}"' not in text
    assert re.search(rf'name="people" value="{people[1].pk}"[^>]*checked', text)
    assert f'name="people" value="{people[2].pk}"' in text
    assert "zz@acme.test" in text and not cohort.memberships.filter(person=people[1]).exists()
    partial = client.post(path, search, headers={"HX-Request": "true"}).content.decode()
    assert "<h1" not in partial and 'id="enrol-status"' in partial
    added = client.post(path, {"people": [people[1].pk, people[2].pk]})
    assert added.status_code == 302
    assert cohort.memberships.count() == 3
    # A member who does not run the cohort cannot search its organisation through it.
    assert cast.client("participant").post(path, search).status_code == 404


def test_a_search_with_control_characters_finds_by_the_rest_of_it(
    cast: Cast, organisation: Organisation
) -> None:
    sam = make_person(organisation, "sam@acme.test", "Sam Okoye", {Role.PARTICIPANT})
    response = cast.client("facilitator").post(
        "/cohorts/new", {**FORM, "member_search": "sa\x00m\x1a", "find": "1"}
    )

    assert response.status_code == 200
    assert str(sam.pk) in offered(response.content.decode())
