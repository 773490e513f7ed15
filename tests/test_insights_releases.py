"""Monthly releases: computed once per closed month, noisy, within budget, the same on every
reload and export; and each attack of issue 18, tried from the pages and CSV a role can reach."""

from __future__ import annotations

import io
import math
import random
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from bridgework.accounts.models import Organisation, Role
from bridgework.insights import counts, releases, services
from bridgework.insights.mechanism import Noise
from bridgework.insights.models import (
    PrivacyBudget,
    Release,
    ReleasedCohort,
    ReleasedFigure,
)

from .conftest import Cast, Clock, client_for, make_person, on_calendar_edges
from .insights_support import (
    APRIL,
    MARCH,
    active_people,
    at,
    cohort_of,
    commit_and_check_in,
    export,
    first_number,
    page,
    table_rows,
    tables_of,
)

TOO_FEW = "too few people to show this reliably"


@pytest.fixture
def noiseless(settings: Any) -> None:
    settings.INSIGHTS_NOISELESS = True


def org_of(cast: Cast) -> Organisation:
    organisation = cast.program_admin.organisation
    assert organisation is not None
    return organisation


def figures(release: Release, cohort_id: int | None = None) -> dict[tuple[str, str], float]:
    scope = {"cohort_id": cohort_id} if cohort_id else {"cohort__isnull": True}
    rows = ReleasedFigure.objects.filter(release=release, **scope)
    return {(f.measure, f.key): f.value for f in rows}


# --- the release itself ---


def test_an_open_month_is_refused_and_never_shown(cast: Cast) -> None:
    organisation = org_of(cast)
    with at(MARCH.replace(day=20)):
        active_people(organisation, 8)
        with pytest.raises(releases.ReleaseRefused, match="has not closed yet"):
            releases.release_month(organisation=organisation, month=MARCH)
        assert releases.release_closed_months(organisation=organisation) == []
        html = page(cast.program_admin)
    assert "No month has been released yet" in html


def test_a_closed_month_is_released_once_and_reads_the_same_on_every_reload_and_export(
    cast: Cast,
) -> None:
    organisation = org_of(cast)
    with at(MARCH.replace(day=10)):
        active_people(organisation, 30)
    with at(APRIL.replace(day=2)):
        made = releases.release_closed_months(organisation=organisation)
        assert [r.month for r in made] == [MARCH]
        with pytest.raises(releases.ReleaseRefused, match="already released"):
            releases.release_month(organisation=organisation, month=MARCH)
        first = page(cast.program_admin, cohort="organisation", period="month")
        again = page(cast.program_admin, cohort="organisation", period="month")
        csv_first = export(cast.program_admin, cohort="organisation", period="month")
        csv_again = export(cast.program_admin, cohort="organisation", period="month")
    assert table_rows(first, "Practice") == table_rows(again, "Practice")
    assert csv_first == csv_again
    assert Release.objects.count() == 1


def test_a_release_spends_its_budget_and_records_it(cast: Cast) -> None:
    organisation = org_of(cast)
    PrivacyBudget.objects.create(organisation=organisation, monthly_rho=0.3)
    with at(MARCH.replace(day=10)):
        people = active_people(organisation, 12)
        cohort_of(organisation, "Circle", people[:6])
    with at(APRIL.replace(day=2)):
        release = releases.release_month(organisation=organisation, month=MARCH)
    assert release.budget_rho == 0.3
    # Memberships count from the first of the month: the cohort made on the 10th is not in
    # March's release, so the whole budget went to the organisation's figures.
    assert release.cohort_limit == 0
    assert release.spent_rho == pytest.approx(0.3, rel=1e-6)
    assert release.spent_rho <= 0.3 * (1 + 1e-6)


def test_a_release_that_would_exceed_the_budget_is_refused(
    cast: Cast, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = org_of(cast)
    with at(MARCH.replace(day=10)):
        active_people(organisation, 6)
    # A mechanism that spends twice what it was given (a bug we must never ship) is caught.
    original = Noise.__post_init__

    def overspend(self: Noise) -> None:
        original(self)
        self.spent *= 2

    monkeypatch.setattr(Noise, "__post_init__", overspend)
    with at(APRIL.replace(day=2)), pytest.raises(releases.ReleaseRefused, match="more than"):
        releases.release_month(organisation=organisation, month=MARCH)
    assert not Release.objects.exists()


def test_over_a_year_of_releases_no_month_spends_more_than_its_budget(cast: Cast) -> None:
    organisation = org_of(cast)
    rng = random.Random(18)
    month = date(2025, 1, 1)
    with at(month):
        people = active_people(organisation, 9, prefix="y")
    for _ in range(12):
        with at(month.replace(day=3)):
            cohort_of(organisation, f"Circle {month:%b}", rng.sample(people, 5))
            for person in rng.sample(people, 4):
                commit_and_check_in(person)
            services.set_budget(
                organisation=organisation,
                monthly_rho=round(rng.uniform(0.05, 2.0), 3),
                changed_by=cast.program_admin,
            )
        month = releases.next_month(month)
        with at(month.replace(day=1)):
            releases.release_closed_months(organisation=organisation)
    made = list(Release.objects.filter(organisation=organisation))
    assert len(made) == 12
    for release in made:
        assert release.spent_rho <= release.budget_rho * (1 + 1e-6)
        assert releases.spent_in(organisation, release.month) == release.spent_rho


def test_the_command_releases_closed_months(cast: Cast) -> None:
    organisation = org_of(cast)
    with at(MARCH.replace(day=5)):
        active_people(organisation, 5)
    with at(APRIL, hour=8):
        call_command("release_insights", "--org", organisation.slug, stdout=io.StringIO())
    assert list(Release.objects.values_list("month", flat=True)) == [MARCH]


# --- what the page shows (noise switched off, so the rules can be checked exactly) ---


@pytest.mark.usefixtures("noiseless")
def test_each_column_rests_on_enough_people(cast: Cast) -> None:
    """Issue 18, attack 4: six people commit, one checks in. The check-in columns describe
    one person, so they say so instead of a number."""
    organisation = org_of(cast)
    with at(MARCH.replace(day=10)):
        active_people(organisation, 1, prefix="kept")
        active_people(organisation, 5, prefix="not", outcome="not_yet")
    with at(APRIL.replace(day=2)):
        releases.release_month(organisation=organisation, month=MARCH)
        row = table_rows(page(cast.program_admin, period="month"), "Practice")["Deep curiosity"]
    assert first_number(row[0]) == 6  # commitments by six people
    assert first_number(row[1]) == 6  # check-ins by six people
    assert row[2] == TOO_FEW  # "kept": one person
    assert row[3] == TOO_FEW


@pytest.mark.usefixtures("noiseless")
def test_a_complement_of_a_handful_is_hidden(cast: Cast) -> None:
    """Issue 18, attack 5: enrolled minus active would be three people."""
    organisation = org_of(cast)
    with at(MARCH.replace(day=10)):
        active_people(organisation, 9)
        for n in range(3):
            make_person(organisation, f"idle{n}@acme.test", f"idle {n}", {Role.PARTICIPANT})
    with at(APRIL.replace(day=2)):
        releases.release_month(organisation=organisation, month=MARCH)
        html = page(cast.program_admin, period="month")
    rows = table_rows(html, "Measure")
    assert first_number(rows["Enrolled (a month, on average)"][0]) == 12
    assert rows["Active (a month, on average)"] == [TOO_FEW, TOO_FEW]
    # Said once across the row, not in every column.
    label = '<th scope="row">Active (a month, on average)</th>'
    assert f'{label}<td colspan="2">{TOO_FEW}</td>' in html


@pytest.mark.usefixtures("noiseless")
def test_a_deactivated_person_who_was_active_counts_in_neither_enrolled_nor_active(
    cast: Cast,
) -> None:
    """Issue 18, attack 6: once a 500. Active is counted among the enrolled only."""
    organisation = org_of(cast)
    with at(date(2026, 2, 20)):
        people = active_people(organisation, 12)
        cohort = cohort_of(organisation, "Circle", people[:6])
    with at(MARCH.replace(day=10)):
        for person in people:
            commit_and_check_in(person)
    people[0].is_active = False
    people[0].save(update_fields=["is_active"])  # deactivated long ago, without a date
    with at(APRIL.replace(day=1)):
        people[1].deactivate()  # deactivated after March: counts in March, in both
    with at(APRIL.replace(day=2)):
        release = releases.release_month(organisation=organisation, month=MARCH)
        for query in ({"cohort": "organisation"}, {"cohort": cohort.pk}):
            for period in ("month", "3m", "12m", "all"):
                page(cast.program_admin, period=period, **query)
                export(cast.program_admin, period=period, **query)
    values = figures(release)
    assert values[("enrolled", "all")] == 11
    assert values[("active", "all")] == 11


# --- the attacks, with the noise on ---


def test_a_tracker_cohort_is_not_released(cast: Cast) -> None:
    """Issue 18, attack 1: a facilitator copies a cohort and adds one person."""
    organisation = org_of(cast)
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 14)
        original = cohort_of(organisation, "Original", people[:7])
        tracker = cohort_of(organisation, "Tracker", people[:8])
        for cohort in (original, tracker):
            cohort.facilitators.add(cast.facilitator)
    with at(MARCH.replace(day=10)):
        for person in people:
            commit_and_check_in(person)
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)
        html = page(cast.facilitator, cohort=tracker.pk, period="month")
        rows = export(cast.facilitator, cohort=tracker.pk, period="month")
    reasons = dict(
        ReleasedCohort.objects.filter(release__month=MARCH).values_list("cohort_id", "reason")
    )
    assert reasons == {original.pk: "", tracker.pk: ReleasedCohort.Reason.CLOSE}
    assert "This cohort is not released" in html
    assert not ReleasedFigure.objects.filter(cohort=tracker).exists()
    assert ["Section", "Table", "Row", "Column", "Shown", "Noise scale (SD)"] in rows
    assert (
        rows[rows.index(["Section", "Table", "Row", "Column", "Shown", "Noise scale (SD)"]) :][1:]
        == []
    )


def test_period_differencing_gives_only_noisy_sums(cast: Cast) -> None:
    """Issue 18, attack 2: a longer period minus a shorter one is the sum of earlier months'
    releases (noisy), never a live exact figure. Three months of one active person each."""
    organisation = org_of(cast)
    months = [date(2026, 1, 1), date(2026, 2, 1), MARCH]
    with at(months[0].replace(day=5)):
        people = active_people(organisation, 6, prefix="d")
    for month in months[1:]:
        with at(month.replace(day=5)):
            commit_and_check_in(people[0])
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)
        three = page(cast.program_admin, period="3m")
        one = page(cast.program_admin, period="month")
    stored = ReleasedFigure.objects.filter(
        cohort__isnull=True, measure="check_ins_total", key="all"
    )
    noisy = {f.release.month: f.value for f in stored.select_related("release")}
    recovered_true = {months[0]: 6, months[1]: 1, MARCH: 1}
    # What the pages give is the stored noisy sums: their difference is January + February's
    # noise-carrying releases, and the noise is real (scale > 0) on every figure.
    assert all(f.scale > 0 for f in stored)
    three_total = table_rows(three, "Practice")["All practices"][1]
    one_total = table_rows(one, "Practice")["All practices"][1]
    for shown, months_in in ((three_total, months), (one_total, [MARCH])):
        if shown != TOO_FEW:
            assert first_number(shown) == max(0, round(sum(noisy[m] for m in months_in)))
    # With three independent noisy months, all three landing exactly on the truth after
    # rounding has probability below 1e-4 at this scale (each about 2%).
    assert any(round(noisy[m]) != recovered_true[m] for m in months)


def test_a_new_check_in_moves_nothing_until_the_next_month_is_released(cast: Cast) -> None:
    """Issue 18, attack 3: one check-in, then a reload; then the next release, which moves
    by noise rather than by exactly one."""
    organisation = org_of(cast)
    with at(MARCH.replace(day=5)):
        people = active_people(organisation, 30)
    with at(APRIL.replace(day=2)):
        releases.release_closed_months(organisation=organisation)
        before = export(cast.program_admin, cohort="organisation", period="month")
        commit_and_check_in(people[0], practice="humble-acknowledgement")
        after = export(cast.program_admin, cohort="organisation", period="month")
    assert before == after
    with at(date(2026, 5, 2)):
        releases.release_closed_months(organisation=organisation)
    april = Release.objects.get(month=APRIL)
    changed = figures(april)[("check_ins", "humble-acknowledgement")]
    scale = ReleasedFigure.objects.get(
        release=april, cohort=None, measure="check_ins", key="humble-acknowledgement"
    ).scale
    assert scale > 5  # one person's check-in is far inside the noise
    assert changed != 1.0


# --- the mechanism ---


def test_the_noise_has_the_declared_scale() -> None:
    """20,000 draws from OpenDP's Gaussian mechanism: their variance against the declared
    scale, by the chi-square distribution of (n - 1)s²/σ². The test fails wrongly with
    probability 1e-6 (two-sided), and so does the mean's check."""
    from scipy import stats as scipy_stats

    noise = Noise(bound=1.0, rho=0.02)
    assert noise.scale == pytest.approx(1 / math.sqrt(0.04), rel=1e-6)
    assert noise.spent == pytest.approx(0.02, rel=1e-6)
    n = 20_000
    draws = noise.release([0.0] * n)
    mean = sum(draws) / n
    variance = sum((d - mean) ** 2 for d in draws) / (n - 1)
    statistic = (n - 1) * variance / noise.scale**2
    low, high = scipy_stats.chi2.ppf([0.5e-6, 1 - 0.5e-6], n - 1)
    assert low < statistic < high
    assert abs(mean) < scipy_stats.norm.ppf(1 - 0.5e-6) * noise.scale / math.sqrt(n)


def test_every_measure_has_a_people_count_and_a_positive_bound() -> None:
    for measure in counts.MEASURES:
        assert measure.bound > 0
        assert measure.people in counts.BY_NAME
        # The people behind each key: per key, or (pulse answers) everyone who answered.
        people_keys = counts.BY_NAME[measure.people].keys
        assert people_keys == counts.ALL or set(measure.keys) <= set(people_keys)


# --- the budget page ---


def test_a_program_admin_changes_the_budget_within_floor_and_ceiling(cast: Cast) -> None:
    client = client_for(cast.program_admin)
    url = reverse("insights_privacy")
    assert "0.5" in client.get(url).content.decode()
    refused = client.post(url, {"monthly_rho": "50"})
    assert refused.status_code == 400
    assert "Choose a budget from 0.05 to 2." in refused.content.decode()
    assert client.post(url, {"monthly_rho": "nonsense"}).status_code == 400
    assert client.post(url, {"monthly_rho": "0.8"}).status_code == 302
    assert releases.monthly_rho(org_of(cast)) == 0.8
    assert client_for(cast.facilitator).get(url).status_code == 403


def test_start_up_refuses_a_budget_outside_its_floor_and_ceiling(
    settings: Any,
) -> None:
    from django.core.exceptions import ImproperlyConfigured

    from bridgework.insights import privacy_settings

    settings.INSIGHTS_RHO_DEFAULT = "5"
    with pytest.raises(ImproperlyConfigured):
        privacy_settings.check()
    settings.INSIGHTS_RHO_DEFAULT = "0.5"
    settings.INSIGHTS_NOISELESS = True
    settings.ENVIRONMENT = "production"
    with pytest.raises(ImproperlyConfigured, match="only for the test suite"):
        privacy_settings.check()


# --- session feedback ---


@pytest.mark.usefixtures("noiseless")
def test_session_feedback_counts_in_the_month_its_pulse_closed(cast: Cast) -> None:
    from datetime import UTC, datetime

    from bridgework.cohorts.models import PulseAnswer, PulseResponse, Session

    organisation = org_of(cast)
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 8)
        cohort = cohort_of(organisation, "Circle", people[:6])
    session = Session.objects.create(
        cohort=cohort,
        number=1,
        starts_at=datetime(2026, 3, 2, 10, tzinfo=UTC),
        time_zone="UTC",
        duration_minutes=60,
        pulse_month=MARCH,
    )
    for n, person in enumerate(people[:6]):
        PulseResponse.objects.create(session=session, person=person)
        PulseAnswer.objects.create(session=session, useful=5 if n else 2, safe=4)
    with at(APRIL.replace(day=2)):
        releases.release_month(organisation=organisation, month=MARCH)
        html = page(cast.program_admin, period="month")
    rows = next(
        {row[0]: row[1:] for row in table[1:]}
        for table in tables_of(html)
        if any(row[0] == "Answers" for row in table)
    )
    assert first_number(rows["Answers"][0]) == 6
    assert rows["Mean “useful” (1-5)"] == ["4.50"]
    assert rows["Mean “felt safe to speak” (1-5)"] == ["4.00"]


@pytest.mark.usefixtures("noiseless")
def test_someone_added_to_a_cohort_during_the_month_is_not_among_its_people_who_answered(
    cast: Cast,
) -> None:
    """The budget is divided for the cohorts each person was counted in when the month
    began. Counted also in the pulses' people of every cohort they were added to since, one
    person would be in more cohorts' figures than it was divided for."""
    from datetime import UTC, datetime

    from bridgework.cohorts.models import Membership, PulseResponse, Session
    from bridgework.insights.models import SafetyPulse, SafetyResponse

    organisation = org_of(cast)
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 16)
        cohort_of(organisation, "One", people[:5])
        two = cohort_of(organisation, "Two", people[5:10])
    newcomer = people[15]
    with at(date(2026, 3, 3)):
        Membership.objects.create(cohort=two, person=newcomer)
    session = Session.objects.create(
        cohort=two,
        number=1,
        starts_at=datetime(2026, 3, 5, 10, tzinfo=UTC),
        time_zone="UTC",
        duration_minutes=60,
        pulse_month=MARCH,
    )
    pulse = SafetyPulse.objects.create(
        organisation=organisation,
        cohort=two,
        opens_on=date(2026, 3, 6),
        closes_on=date(2026, 3, 9),
        created_by=cast.program_admin,
    )
    for person in (people[5], newcomer):
        PulseResponse.objects.create(session=session, person=person)
        SafetyResponse.objects.create(pulse=pulse, person=person)
    with at(APRIL.replace(day=2)):
        release = releases.release_month(organisation=organisation, month=MARCH)
    assert release.cohort_limit == 1
    of_two = figures(release, two.pk)
    assert of_two[("feedback_people", "all")] == 1
    assert of_two[("safety_people", "all")] == 1
    assert figures(release)[("feedback_people", "all")] == 2


def test_feedback_is_left_out_when_someone_answered_beyond_the_bound(cast: Cast) -> None:
    from datetime import UTC, datetime, timedelta

    from bridgework.cohorts.models import PulseResponse, Session

    organisation = org_of(cast)
    with at(date(2026, 2, 10)):
        people = active_people(organisation, 6)
        cohort = cohort_of(organisation, "Circle", people)
    for number in range(counts.FEEDBACK_CAP + 1):
        session = Session.objects.create(
            cohort=cohort,
            number=number + 1,
            starts_at=datetime(2026, 2, 20, 10, tzinfo=UTC) + timedelta(days=number),
            time_zone="UTC",
            duration_minutes=60,
            pulse_month=MARCH,
        )
        PulseResponse.objects.create(session=session, person=people[0])
    with at(APRIL.replace(day=2)):
        release = releases.release_month(organisation=organisation, month=MARCH)
    measures = set(ReleasedFigure.objects.filter(release=release).values_list("measure", flat=True))
    assert "feedback_answers" not in measures and "enrolled" in measures


# --- on the calendar's edges ---


@on_calendar_edges
@pytest.mark.usefixtures("noiseless")
def test_on_a_calendar_edge_the_month_before_is_released_and_the_current_one_waits(
    clock: Clock, cast: Cast
) -> None:
    organisation = org_of(cast)
    zone = timezone.get_current_timezone()
    edge = clock.now()
    this_month = releases.first_of(clock.today())
    last_month = releases.previous_month(this_month)
    # Twelve people act in the last half hour of the month before (local time), six today.
    clock.move_to(datetime.combine(this_month, time(), zone) - timedelta(minutes=30))
    active_people(organisation, 12, prefix="late")
    clock.move_to(edge)
    active_people(organisation, 6, prefix="today")

    made = releases.release_closed_months(organisation=organisation)
    with pytest.raises(releases.ReleaseRefused, match="has not closed yet"):
        releases.release_month(organisation=organisation, month=this_month)

    assert [release.month for release in made] == [last_month]
    assert figures(made[0])[("active", "all")] == 12
    # The first moment of the next month closes this one.
    clock.move_to(datetime.combine(releases.next_month(this_month), time(), zone))
    [current] = releases.release_closed_months(organisation=organisation)
    assert current.month == this_month
    assert figures(current)[("active", "all")] == 6
