"""The organisation settings page: program admins set the organisation up in the app, and
every change leaves an audit row that names the setting, never its value."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person, SettingsChange
from bridgework.accounts.settings_sections import sections

from .conftest import client_for

URL = reverse("organisation_settings")


def _post(client: Client, **changes: str) -> object:
    data = {
        "name": "Acme",
        "time_zone": "UTC",
        "default_language": "en",
        "email_domains": "",
    }
    data.update(changes)
    return client.post(URL, data)


@pytest.mark.django_db
def test_a_program_admin_renames_the_organisation_and_sets_its_zone_and_domains(
    program_admin: Person, organisation: Organisation
) -> None:
    response = _post(
        client_for(program_admin),
        name="Acme Corporation",
        time_zone="europe/berlin",
        email_domains="acme.test\n@Acme.example, acme.test",
    )

    assert response.status_code == 302  # type: ignore[attr-defined]
    organisation.refresh_from_db()
    assert organisation.name == "Acme Corporation"
    assert organisation.time_zone == "Europe/Berlin"
    assert organisation.email_domains == ["acme.test", "acme.example"]


@pytest.mark.django_db
def test_each_change_is_audited_by_setting_without_its_value(
    program_admin: Person, organisation: Organisation
) -> None:
    _post(client_for(program_admin), name="Acme Secretive Name", email_domains="acme.test")

    changes = SettingsChange.objects.filter(organisation=organisation)
    assert sorted(changes.values_list("setting", flat=True)) == [
        "E-mail domains",
        "Organisation name",
    ]
    assert all(change.changed_by == program_admin for change in changes)
    page = client_for(program_admin).get(URL).content.decode()
    assert "Organisation name" in page and "Ada Admin" in page
    assert "acme.test" in page  # in the form, as the current value
    assert page.count("Acme Secretive Name") == page.count('value="Acme Secretive Name"') + 1


@pytest.mark.django_db
def test_saving_without_changes_audits_nothing(program_admin: Person) -> None:
    _post(client_for(program_admin))

    assert not SettingsChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("time_zone", "Mars/Olympus_Mons", "not a time zone name we know"),
        ("email_domains", "https://acme.test", "is not a domain name"),
        ("email_domains", "acme", "is not a domain name"),
        ("name", "   ", "Give the organisation a name"),
        ("default_language", "xx", "Select a valid choice"),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_changes(
    program_admin: Person, organisation: Organisation, field: str, value: str, message: str
) -> None:
    response = _post(client_for(program_admin), **{field: value})

    assert response.status_code == 200  # type: ignore[attr-defined]
    assert message in response.content.decode()  # type: ignore[attr-defined]
    organisation.refresh_from_db()
    assert organisation.name == "Acme"
    assert not SettingsChange.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "saved"),
    [
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("Asia/Kolkata", "Asia/Kolkata"),
        # One zone under two names: either keeps the same clocks.
        ("Istanbul", "Asia/Istanbul"),
    ],
)
def test_a_time_zone_may_be_written_as_its_city_alone(
    program_admin: Person, organisation: Organisation, typed: str, saved: str
) -> None:
    _post(client_for(program_admin), time_zone=typed)

    organisation.refresh_from_db()
    assert organisation.time_zone == saved


@pytest.mark.django_db
def test_a_domain_belongs_to_one_organisation_only(
    program_admin: Person, other_organisation: Organisation
) -> None:
    other_organisation.email_domains = ["globex.test"]
    other_organisation.save()

    response = _post(client_for(program_admin), email_domains="acme.test\nglobex.test")

    assert "globex.test already belongs to another organisation" in response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.django_db
def test_new_cohorts_start_in_the_organisations_zone(
    program_admin: Person, organisation: Organisation
) -> None:
    organisation.time_zone = "Asia/Kolkata"
    organisation.save()

    page = client_for(program_admin).get(reverse("cohort_new")).content.decode()

    assert 'value="Asia/Kolkata"' in page


@pytest.mark.django_db
def test_program_admins_find_settings_in_the_navigation(
    program_admin: Person, participant: Person, facilitator: Person
) -> None:
    assert f'href="{URL}"' in client_for(program_admin).get("/").content.decode()
    for person in (participant, facilitator):
        assert f'href="{URL}"' not in client_for(person).get("/").content.decode()


def test_the_general_section_comes_first() -> None:
    assert sections()[0].label == "General"
