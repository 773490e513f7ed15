"""The insights dashboard, its CSV export, audit list and the psychological-safety pulse."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.test.html import parse_html
from django.urls import reverse

from bridgework.accounts.models import Organisation, Role
from bridgework.accounts.services import erase_person
from bridgework.cohorts.models import Cohort, Membership
from bridgework.insights import charts, releases, services
from bridgework.insights.counts import SAFETY_CAP
from bridgework.insights.forms import ListSelect
from bridgework.insights.models import (
    AuditEntry,
    SafetyAnswer,
    SafetyPulse,
    SafetyResponse,
)
from bridgework.insights.pulse import ITEM_FIELDS
from bridgework.insights.views import PICKER_COHORTS
from bridgework.lib.csvsafe import neutralise

from .conftest import (
    Cast,
    Clock,
    CountQueries,
    QueryCount,
    client_for,
    make_person,
    on_calendar_edges,
)
from .insights_support import (
    APRIL,
    MARCH,
    active_people,
    at,
    cohort_of,
    commit_and_check_in,
    first_number,
    table_rows,
    tables_of,
)
from .page_support import without_per_request_values

# Every test runs on a stopped clock; those that read today run on each calendar edge.
pytestmark = pytest.mark.usefixtures("clock")

TOO_FEW = "too few people to show this reliably"


# --- who sees what ---


def test_program_admins_see_the_organisation_and_every_cohort(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    cohort_of(organisation, "Mine", [cast.participant])
    response = client_for(cast.program_admin).get(reverse("insights"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The whole organisation" in html and "Cohort: Mine" in html


def test_the_view_picker_lists_the_latest_cohorts_and_finds_the_others_by_name(
    cast: Cast,
) -> None:
    """Years of cohorts would make one long list (and a page that grows with the
    organisation): the picker lists the latest to start, a search reaches the rest."""
    organisation = cast.program_admin.organisation
    assert organisation is not None
    Cohort.objects.bulk_create(
        Cohort(
            organisation=organisation,
            name=f"Round {n:02}",
            start_date=date(2020, 1, 1) + timedelta(days=30 * n),
        )
        for n in range(PICKER_COHORTS + 10)
    )
    oldest = Cohort.objects.get(name="Round 00")
    client = client_for(cast.program_admin)

    page = client.get(reverse("insights")).content.decode()
    listed = re.findall(r"Cohort: (Round \d\d)", page)
    assert listed == [f"Round {n:02}" for n in range(10, PICKER_COHORTS + 10)]
    assert "Find a cohort by name" in page

    # An older cohort asked for by its id (a bookmark, the CSV's address) is shown and listed.
    asked = client.get(reverse("insights"), {"cohort": str(oldest.pk), "period": "3m"})
    assert asked.status_code == 200 and "Cohort: Round 00" in asked.content.decode()
    assert asked.context["board"].scope_label.endswith("Round 00")

    # A search lists the matches and shows the latest of them.
    found = client.get(reverse("insights"), {"cohort": "organisation", "find": "round 0"})
    html = found.content.decode()
    assert re.findall(r"Cohort: (Round \d\d)", html) == [f"Round 0{n}" for n in range(10)]
    assert found.context["board"].scope_label.endswith("Round 09")

    for shown in ("organisation", str(oldest.pk)):
        nothing = client.get(reverse("insights"), {"cohort": shown, "find": "autumn"})
        assert nothing.status_code == 400 and "board" not in nothing.context
        assert "No cohort&#x27;s name contains that." in nothing.content.decode()


def test_a_search_with_control_characters_searches_for_the_rest(cast: Cast) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    cohort_of(organisation, "Spring", [cast.participant]).facilitators.add(cast.facilitator)
    client = client_for(cast.facilitator)
    found = client.get(reverse("insights"), {"find": "Spr\x00ing\x07", "period": "3m"})
    assert found.status_code == 400  # "Spr ing" is no cohort's name: said so, no error
    assert client.get(reverse("insights"), {"find": "\x00spring"}).status_code == 200


def test_a_small_organisation_is_not_offered_a_search(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    cohort_of(organisation, "Only", [cast.participant])
    page = client_for(cast.program_admin).get(reverse("insights")).content.decode()
    assert "Find a cohort by name" not in page


def test_facilitators_see_only_the_cohorts_they_facilitate(cast: Cast) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    theirs = cohort_of(organisation, "Theirs", [cast.participant])
    theirs.facilitators.add(cast.facilitator)
    other = cohort_of(organisation, "Someone else's", [cast.participant])
    client = client_for(cast.facilitator)

    page = client.get(reverse("insights")).content.decode()
    assert "Cohort: Theirs" in page
    assert "Someone else" not in page and "The whole organisation" not in page
    assert client.get(reverse("insights"), {"cohort": other.pk}).status_code == 404
    assert client.get(reverse("insights"), {"cohort": "organisation"}).status_code == 404
    assert client.get(reverse("insights_export"), {"cohort": other.pk}).status_code == 404


def test_a_facilitator_opens_on_the_largest_cohort_they_facilitate(cast: Cast) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    people = [
        make_person(organisation, f"m{n}@acme.test", f"Member {n}", {Role.PARTICIPANT})
        for n in range(4)
    ]
    first_by_name = cohort_of(organisation, "Alpha", people[:1])
    largest = cohort_of(organisation, "Zeta", people)
    not_theirs = cohort_of(organisation, "Omega", [*people, cast.participant])
    for cohort in (first_by_name, largest):
        cohort.facilitators.add(cast.facilitator)
    not_theirs.facilitators.add(cast.program_admin)
    page = client_for(cast.facilitator).get(reverse("insights")).content.decode()
    assert re.search(rf'<option value="{largest.pk}" selected>', page)
    assert not re.search(rf'<option value="{first_by_name.pk}" selected>', page)


def test_a_facilitator_without_cohorts_is_told_so(cast: Cast) -> None:
    response = client_for(cast.facilitator).get(reverse("insights"))
    assert response.status_code == 200
    assert "You do not facilitate a cohort yet" in response.content.decode()


def test_another_organisations_cohort_is_a_404(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    ours = cohort_of(organisation, "Ours", [cast.participant])
    response = client_for(cast.stranger).get(reverse("insights"), {"cohort": ours.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("position", ["participant", "group_member", "participant_and_member"])
def test_participants_and_group_members_are_refused(cast: Cast, position: str) -> None:
    person = cast.person(position)
    assert client_for(person).get(reverse("insights")).status_code == 403
    assert client_for(person).get(reverse("insights_export")).status_code == 403


def test_a_period_that_is_not_offered_is_a_clear_400(cast: Cast) -> None:
    response = client_for(cast.program_admin).get(reverse("insights"), {"period": "7d"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    response = client_for(cast.program_admin).get(reverse("insights"), {"cohort": "everyone"})
    assert response.status_code == 400


def test_only_facilitators_and_admins_get_the_insights_link(cast: Cast) -> None:
    for position, expected in (
        ("participant", False),
        ("facilitator", True),
        ("program_admin", True),
    ):
        html = client_for(cast.person(position)).get(reverse("home")).content.decode()
        assert (f'href="{reverse("insights")}"' in html) is expected


# --- what a release shows on the page ---


@pytest.fixture
def noiseless(settings: object) -> None:
    settings.INSIGHTS_NOISELESS = True  # type: ignore[attr-defined]


def released_march(organisation: Organisation) -> None:
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)


def test_a_small_cohort_is_not_released_and_says_why(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    with at(MARCH.replace(day=10)):
        people = active_people(organisation, 8)
    with at(date(2026, 2, 1)):
        small = cohort_of(organisation, "Small", people[:3])
    released_march(organisation)
    query: dict[str, str | int] = {"cohort": small.pk, "period": "month"}
    with at(APRIL.replace(day=2)):
        html = client_for(cast.program_admin).get(reverse("insights"), query).content.decode()
    assert "This cohort is not released" in html
    assert "fewer than 5 members" in html
    assert "Deep curiosity" not in html


def test_a_cohort_that_is_nearly_the_whole_organisation_is_not_released(cast: Cast) -> None:
    """The organisation has seven people; a cohort holds six of them. Both released, their
    difference would be about the seventh person."""
    organisation = cast.program_admin.organisation
    assert organisation is not None
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 7)
        nearly_all = cohort_of(organisation, "Nearly all", people[:6])
    released_march(organisation)
    query: dict[str, str | int] = {"cohort": nearly_all.pk, "period": "month"}
    with at(APRIL.replace(day=2)):
        html = client_for(cast.program_admin).get(reverse("insights"), query).content.decode()
    assert "differ by fewer than 5 people from another group" in html


@pytest.mark.usefixtures("noiseless")
def test_retention_counts_only_completed_months(cast: Cast) -> None:
    """People who joined in February and were active in March: February and March are
    complete once March is released; April (open) is not counted anywhere."""
    organisation = cast.program_admin.organisation
    assert organisation is not None
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 8)
    with at(MARCH.replace(day=10)):
        for person in people[:6]:
            commit_and_check_in(person)
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)
        html = client_for(cast.program_admin).get(reverse("insights"), {"period": "3m"})
    rows = table_rows(html.content.decode(), "Month since joining")
    assert first_number(rows["The month they joined"][0]) == 8
    assert first_number(rows["The month they joined"][1]) == 8
    assert first_number(rows["Month 1 after joining"][0]) == 8
    # Six of eight were active: the two who were not would be the complement, so hidden.
    assert rows["Month 1 after joining"][1:] == [TOO_FEW, TOO_FEW]
    assert "Month 2 after joining" not in rows
    # The page says why, near the top, before the first hidden figure.
    why = f"Where a figure reads “{TOO_FEW}”, fewer than 5 people are behind it"
    page = html.content.decode()
    assert why in page and page.index(why) < page.index(TOO_FEW + "</td>")


# --- export and audit ---


def test_the_csv_holds_every_number_on_the_screen_with_its_noise_scale(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    with at(MARCH.replace(day=10)):
        active_people(organisation, 40)
    released_march(organisation)
    client = client_for(cast.program_admin)
    query = {"cohort": "organisation", "period": "3m"}
    with at(APRIL.replace(day=2)):
        screen = tables_of(client.get(reverse("insights"), query).content.decode())
        response = client.get(reverse("insights_export"), query)
    assert response["Content-Type"].startswith("text/csv")
    exported = list(csv.reader(io.StringIO(response.content.decode())))
    header = exported.index(["Section", "Table", "Row", "Column", "Shown", "Noise scale (SD)"])
    cells = {(row[2], row[3]): (row[4], row[5]) for row in exported[header + 1 :]}
    for table in screen:
        headers = table[0]
        for row in table[1:]:
            for column, shown in zip(headers[1:], row[1:], strict=False):
                # A cell that a spreadsheet would read as a formula ("-6.62 to 1.74") is
                # written neutralised, as every CSV export does.
                assert cells[(row[0], column)][0] == neutralise(shown)
    enrolled_scale = cells[("Enrolled (a month, on average)", "Number")][1]
    assert float(enrolled_scale) > 0


def test_every_view_and_export_writes_an_audit_row_without_values(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    client = client_for(cast.program_admin)
    client.get(reverse("insights"), {"period": "12m"})
    client.get(reverse("insights_export"), {"cohort": "organisation", "period": "all"})
    entries = list(
        AuditEntry.objects.order_by("pk").values("person_id", "view", "period", "format")
    )
    assert entries == [
        {
            "person_id": cast.program_admin.pk,
            "view": "organisation",
            "period": "12m",
            "format": "page",
        },
        {
            "person_id": cast.program_admin.pk,
            "view": "organisation",
            "period": "all",
            "format": "csv",
        },
    ]
    audit = client.get(reverse("insights_audit"))
    assert audit.status_code == 200
    assert "Ada Admin" in audit.content.decode()
    assert client_for(cast.facilitator).get(reverse("insights_audit")).status_code == 403


def test_the_dashboard_makes_the_same_number_of_queries_at_two_sizes(
    cast: Cast, count_queries: CountQueries
) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    client = client_for(cast.program_admin)
    with at(date(2026, 2, 1)):
        cohort = cohort_of(organisation, "One", [])

    def count(month: date) -> tuple[QueryCount, QueryCount]:
        def dashboard(query: dict[str, str | int]) -> QueryCount:
            return count_queries(client.get, reverse("insights"), query)

        with at(releases.next_month(month).replace(day=2)):
            releases.release_closed_months(organisation=organisation)
            everyone = dashboard({"cohort": "organisation", "period": "all"})
            return everyone, dashboard({"cohort": cohort.pk})

    with at(date(2026, 2, 5)):
        active_people(organisation, 2, prefix="a")
    small = count(date(2026, 2, 1))
    with at(date(2026, 2, 20)):
        people = active_people(organisation, 12, prefix="b")
        for person in people:
            Membership.objects.create(cohort=cohort, person=person)
        cohort_of(organisation, "Two", people[:6])
    with at(MARCH.replace(day=5)):
        for person in people:
            commit_and_check_in(person)
    assert count(MARCH) == small == (7, 7)


# --- the psychological-safety pulse ---


def answers(value: int = 4) -> dict[str, str]:
    return dict.fromkeys(ITEM_FIELDS, str(value))


def pulse_for_everyone(cast: Cast, opens_on: date, closes_on: date) -> SafetyPulse:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    return services.create_pulse(
        organisation=organisation,
        created_by=cast.program_admin,
        cohort=None,
        opens_on=opens_on,
        closes_on=closes_on,
    )


@on_calendar_edges
def test_a_participant_sees_an_open_pulse_at_home_and_answers_it_anonymously(
    cast: Cast, clock: Clock
) -> None:
    pulse = pulse_for_everyone(cast, clock.today(), clock.today() + timedelta(days=7))
    client = client_for(cast.participant)
    assert (
        reverse("insights_pulse", args=[pulse.pk]) in client.get(reverse("home")).content.decode()
    )
    response = client.post(reverse("insights_pulse", args=[pulse.pk]), answers(5))
    assert response.status_code == 302
    assert SafetyResponse.objects.filter(pulse=pulse, person=cast.participant).count() == 1
    answer = SafetyAnswer.objects.get(pulse=pulse)
    assert answer.speak_up == 5
    # Nothing in the answer row points back at a person or a moment.
    assert {f.name for f in SafetyAnswer._meta.get_fields()} == {"id", "pulse", *ITEM_FIELDS}
    # Answered: no longer offered, and a second answer changes nothing.
    assert (
        reverse("insights_pulse", args=[pulse.pk])
        not in client.get(reverse("home")).content.decode()
    )
    client.post(reverse("insights_pulse", args=[pulse.pk]), answers(1))
    assert SafetyAnswer.objects.filter(pulse=pulse).count() == 1


def test_erasing_someone_who_answered_a_pulse_leaves_its_count_as_it_was(
    cast: Cast, clock: Clock
) -> None:
    pulse = pulse_for_everyone(cast, clock.today(), clock.today() + timedelta(days=7))
    client_for(cast.participant).post(reverse("insights_pulse", args=[pulse.pk]), answers(5))

    def answered() -> int:
        return SafetyResponse.objects.filter(pulse=pulse).count()

    assert answered() == 1
    erase_person(person=cast.participant)
    assert answered() == 1
    assert SafetyAnswer.objects.filter(pulse=pulse).count() == 1


@on_calendar_edges
def test_the_pulses_page_does_not_move_when_someone_answers(cast: Cast, clock: Clock) -> None:
    """A count of answers so far, watched while a colleague answered (or in a cohort whose
    members the admin can list), would say that they had."""
    pulse = pulse_for_everyone(cast, clock.today(), clock.today() + timedelta(days=7))
    admin = client_for(cast.program_admin)

    def page() -> str:
        return without_per_request_values(admin.get(reverse("insights_pulses")).content.decode())

    before = page()
    for person in (cast.participant, cast.participant_and_member):
        client_for(person).post(reverse("insights_pulse", args=[pulse.pk]), answers(4))
    assert SafetyResponse.objects.filter(pulse=pulse).count() == 2
    assert page() == before
    assert "How many answered is not shown here" in before


@on_calendar_edges
def test_a_pulse_answer_needs_every_statement(cast: Cast, clock: Clock) -> None:
    pulse = pulse_for_everyone(cast, clock.today(), clock.today())
    partial = answers()
    del partial["mistakes"]
    response = client_for(cast.participant).post(
        reverse("insights_pulse", args=[pulse.pk]), partial
    )
    assert response.status_code == 400
    assert "Choose how much you agree." in response.content.decode()
    assert not SafetyAnswer.objects.exists()


@pytest.mark.usefixtures("noiseless")
def test_pulse_results_appear_in_the_month_the_pulse_closed(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    pulse = SafetyPulse.objects.create(
        organisation=organisation, opens_on=date(2026, 3, 20), closes_on=date(2026, 4, 3)
    )
    with at(date(2026, 3, 1)):
        people = [
            make_person(organisation, f"s{n}@acme.test", f"s {n}", {Role.PARTICIPANT})
            for n in range(6)
        ]
    for n, person in enumerate(people):
        SafetyResponse.objects.create(pulse=pulse, person=person)
        SafetyAnswer.objects.create(pulse=pulse, **dict.fromkeys(ITEM_FIELDS, 4 if n else 2))
    client = client_for(cast.program_admin)
    released_march(organisation)
    with at(APRIL.replace(day=2)):
        assert "Can say what I really think" not in client.get(reverse("insights")).content.decode()
    with at(date(2026, 5, 2)):
        releases.release_closed_months(organisation=organisation)
        html = client.get(reverse("insights"), {"period": "month"}).content.decode()
    row = table_rows(html, "Statement")["Can say what I really think"]
    assert first_number(row[0]) == 6
    assert row[1] == "3.67"


def pulse_for(cast: Cast, cohort: Cohort | None, day: date) -> SafetyPulse:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    return services.create_pulse(
        organisation=organisation,
        created_by=cast.program_admin,
        cohort=cohort,
        opens_on=day,
        closes_on=day,
    )


def test_a_person_answers_at_most_a_months_worth_of_cohort_pulses(cast: Cast, clock: Clock) -> None:
    """Insights bound each person's anonymous pulse answers by SAFETY_CAP a month. Were the
    bound checked only when the month is released, whoever ran three pulses for a cohort of
    one would learn, from whether the month's safety figures appear, whether that one person
    answered all three; and anyone in two cohorts could erase everyone's figures."""
    organisation = cast.participant.organisation
    assert organisation is not None
    today = clock.today()
    pulses = [
        pulse_for(cast, cohort, today)
        for cohort in (
            cohort_of(organisation, "One", [cast.participant]),
            cohort_of(organisation, "Two", [cast.participant]),
        )
        for _ in range(SAFETY_CAP)
    ]
    client = client_for(cast.participant)
    for pulse in pulses[:SAFETY_CAP]:
        assert (
            client.post(reverse("insights_pulse", args=[pulse.pk]), answers(4)).status_code == 302
        )
    home = client.get(reverse("home")).content.decode()
    extra = pulses[SAFETY_CAP]
    page = client.get(reverse("insights_pulse", args=[extra.pk])).content.decode()
    client.post(reverse("insights_pulse", args=[extra.pk]), answers(1))
    with pytest.raises(ValidationError, match="as many pulses closing this month"):
        services.answer_pulse(
            pulse=extra, person=cast.participant, answers=dict.fromkeys(ITEM_FIELDS, 2)
        )
    assert SafetyResponse.objects.filter(person=cast.participant).count() == SAFETY_CAP
    assert not SafetyAnswer.objects.filter(pulse__in=pulses[SAFETY_CAP:]).exists()
    assert all(reverse("insights_pulse", args=[p.pk]) not in home for p in pulses)
    assert "this one is not needed" in page
    assert "Send my answers" not in page
    # The organisation's own pulses are bounded apart from cohorts'.
    everyone = pulse_for(cast, None, today)
    assert (
        reverse("insights_pulse", args=[everyone.pk])
        in client.get(reverse("home")).content.decode()
    )


def test_an_audience_gets_no_more_pulses_in_a_month_than_a_month_counts(
    cast: Cast, clock: Clock
) -> None:
    today = clock.today()
    for _ in range(SAFETY_CAP):
        pulse_for(cast, None, today)
    response = client_for(cast.program_admin).post(
        reverse("insights_pulses"),
        {"audience": "organisation", "opens_on": today, "closes_on": today},
    )
    assert response.status_code == 400
    assert "Choose a closing day in another month" in response.content.decode()
    assert SafetyPulse.objects.count() == SAFETY_CAP
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    assert pulse_for(cast, None, next_month)


@on_calendar_edges
def test_facilitators_plan_pulses_only_for_their_cohorts(cast: Cast, clock: Clock) -> None:
    organisation = cast.facilitator.organisation
    assert organisation is not None
    theirs = cohort_of(organisation, "Theirs", [cast.participant])
    theirs.facilitators.add(cast.facilitator)
    client = client_for(cast.facilitator)
    page = client.get(reverse("insights_pulses")).content.decode()
    assert "Every participant in the organisation" not in page
    today = clock.today()
    dates = {"opens_on": today.isoformat(), "closes_on": (today + timedelta(days=5)).isoformat()}
    assert (
        client.post(reverse("insights_pulses"), {"audience": "organisation", **dates}).status_code
        == 400
    )
    assert (
        client.post(reverse("insights_pulses"), {"audience": theirs.pk, **dates}).status_code == 302
    )
    assert SafetyPulse.objects.get().cohort == theirs
    backwards = {
        "audience": theirs.pk,
        "opens_on": dates["closes_on"],
        "closes_on": dates["opens_on"],
    }
    response = client.post(reverse("insights_pulses"), backwards)
    assert response.status_code == 400
    assert "on or after the opening day" in response.content.decode()


def test_the_page_never_mentions_a_person_by_name(cast: Cast) -> None:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    with at(MARCH.replace(day=10)):
        people = active_people(organisation, 6)
    released_march(organisation)
    with at(APRIL.replace(day=2)):
        html = client_for(cast.program_admin).get(reverse("insights")).content.decode()
    main = re.search(r"<main.*</main>", html, re.S)
    assert main is not None
    for person in [*people, cast.participant]:
        assert person.chosen_name not in main.group(0)
        assert person.email not in main.group(0)


@pytest.mark.parametrize("chosen", ["organisation", "12", None])
def test_the_list_of_cohorts_is_the_markup_of_a_plain_select(chosen: str | None) -> None:
    choices = [
        ("organisation", "The whole organisation"),
        ("12", 'Cohort: Tom & "Jerry" <b>'),
        ("7", "Cohort: Second"),
    ]
    attrs = {"id": "id_cohort", "aria-describedby": "id_cohort_error"}
    fast = ListSelect(choices=choices).render("cohort", chosen, attrs)
    plain = forms.Select(choices=choices).render("cohort", chosen, attrs)
    assert parse_html(fast) == parse_html(plain)  # attribute order and spaces aside
    assert fast.count(" selected") == (chosen is not None)


def test_a_noisy_interval_past_the_growth_axis_stops_at_its_end() -> None:
    # A change in a 0-4 rating lies within 4 of zero; noise can widen its interval past that.
    svg = charts.dots(
        "growth",
        "Growth",
        "Change per practice",
        [charts.Row("Honest introspection", 2.05, (-2.52, 6.62), "+2.05")],
    )
    axis_end = charts.WIDTH - charts.RIGHT
    [interval] = re.findall(r'<line class="insights-chart__ci" x1="([\d.]+)" x2="([\d.]+)"', svg)
    assert float(interval[0]) > charts.LABEL and float(interval[1]) == axis_end
    [label_x] = re.findall(r'<text class="chart__axis" x="([\d.]+)" y="[\d.]+">\+2', svg)
    assert float(label_x) == axis_end + 6  # its figure in the margin, not cut off
    assert ">+4" in svg and ">+6" not in svg
