"""An organisation's insights run on its own calendar: a safety pulse opens and closes, and a
month ends, at midnight in the organisation's time zone for everyone, whatever zone each
reader has chosen for their own pages and whenever the worker happens to run."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.urls import reverse

from bridgework.insights import releases, services
from bridgework.insights.models import GrowthScore, SafetyAnswer, SafetyPulse
from bridgework.insights.pulse import ITEM_FIELDS
from bridgework.practice import assessment
from bridgework.practice import services as practice_services

from .conftest import Cast, Clock, client_for

# 02:00 UTC on 1 April is still 31 March (22:00) in New York, and already 1 April in Tokyo.
NEW_YORK_EVENING = datetime(2030, 4, 1, 2, 0, tzinfo=UTC)
# 04:30 UTC: half past midnight on 1 April in New York too.
NEW_YORK_PAST_MIDNIGHT = datetime(2030, 4, 1, 4, 30, tzinfo=UTC)
MARCH = date(2030, 3, 1)


@pytest.fixture
def new_york(cast: Cast, clock: Clock) -> SafetyPulse:
    """The cast's organisation works in New York; its people read their pages in Tokyo time.
    A pulse for everyone runs for the last week of March."""
    organisation = cast.program_admin.organisation
    assert organisation is not None
    organisation.time_zone = "America/New_York"
    organisation.save(update_fields=["time_zone"])
    for person in (cast.program_admin, cast.participant, cast.participant_and_member):
        person.time_zone = "Asia/Tokyo"
        person.save(update_fields=["time_zone"])
    clock.move_to(datetime(2030, 3, 20, 12, 0, tzinfo=UTC))
    return services.create_pulse(
        organisation=organisation,
        created_by=cast.program_admin,
        cohort=None,
        opens_on=date(2030, 3, 25),
        closes_on=date(2030, 3, 31),
    )


def pulse_status(cast: Cast) -> str:
    page = client_for(cast.program_admin).get(reverse("insights_pulses")).content.decode()
    return page.split("<tbody>", 1)[1].split("</td>", 2)[1].rsplit(">", 1)[1]


def test_a_pulse_stays_open_until_midnight_where_the_organisation_is(
    cast: Cast, clock: Clock, new_york: SafetyPulse
) -> None:
    organisation = new_york.organisation
    pulse_page = reverse("insights_pulse", args=[new_york.pk])
    answers = dict.fromkeys(ITEM_FIELDS, "4")

    clock.move_to(NEW_YORK_EVENING)
    # It is 1 April for the participant and the admin, but the pulse has not closed.
    participant = client_for(cast.participant)
    assert pulse_page in participant.get(reverse("home")).content.decode()
    assert participant.post(pulse_page, answers).status_code == 302
    assert SafetyAnswer.objects.filter(pulse=new_york).count() == 1
    assert pulse_status(cast) == "Open"
    # The worker may run now: March has not ended in New York, so it is not released.
    made = releases.release_closed_months(organisation=organisation)
    assert MARCH not in [release.month for release in made]

    clock.move_to(NEW_YORK_PAST_MIDNIGHT)
    late = client_for(cast.participant_and_member)
    assert pulse_page not in late.get(reverse("home")).content.decode()
    late.post(pulse_page, answers)
    assert SafetyAnswer.objects.filter(pulse=new_york).count() == 1
    assert pulse_status(cast) == "Closed"
    made = releases.release_closed_months(organisation=organisation)
    assert MARCH in [release.month for release in made]


def test_the_pulse_form_says_whose_midnight_counts(cast: Cast, new_york: SafetyPulse) -> None:
    page = client_for(cast.program_admin).get(reverse("insights_pulses")).content.decode()
    zone = '<bdi translate="no">America/New_York</bdi>'
    assert f"in the organisation&#x27;s time zone ({zone})." in page


def test_an_assessment_late_on_the_last_evening_counts_in_that_month(
    cast: Cast, clock: Clock, new_york: SafetyPulse
) -> None:
    clock.move_to(NEW_YORK_EVENING)
    practice_services.take_assessment(
        person=cast.participant,
        answers={item.key: 3 for item in assessment.ITEMS},
        defense=assessment.DEFENSES[0].slug,
    )
    days = set(GrowthScore.objects.values_list("baseline_on", "latest_on"))
    assert days == {(date(2030, 3, 31), date(2030, 3, 31))}


def test_the_pulse_list_tells_no_answer_from_none(
    cast: Cast, clock: Clock, new_york: SafetyPulse
) -> None:
    """A list that changed when the one person asked answered would say that they had."""

    def pulse_list() -> str:
        page = client_for(cast.program_admin).get(reverse("insights_pulses")).content.decode()
        return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]

    clock.move_to(NEW_YORK_EVENING)
    before = pulse_list()
    pulse_page = reverse("insights_pulse", args=[new_york.pk])
    client_for(cast.participant).post(pulse_page, dict.fromkeys(ITEM_FIELDS, "4"))
    assert SafetyAnswer.objects.filter(pulse=new_york).count() == 1
    assert pulse_list() == before
