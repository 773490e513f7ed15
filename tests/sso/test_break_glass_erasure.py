"""The break-glass program admin of an organisation that signs in only through its identity
provider may still delete their account: it is not refused, it turns "SSO only" off (with a
row in the change trail), and the "Delete my account" page says so before they confirm."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from bridgework.accounts import services as accounts_services
from bridgework.accounts.models import Organisation, Person, Role, SettingsChange
from bridgework.sso.models import IdentityProvider
from bridgework.sso.personal_data import SSO_ONLY_TURNED_OFF

from ..conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db

DELETE = "/profile/delete-account"
WARNING = "You are Acme&#x27;s break-glass program admin"


@pytest.fixture
def break_glass(organisation: Organisation, program_admin: Person) -> Person:
    """A second program admin, so the break-glass one is not the only admin (who cannot
    delete their account at all), keeping their password while everyone uses Okta."""
    keeper = accounts_services.create_person(
        organisation=organisation,
        email="keeper@acme.test",
        chosen_name="Kim Keeper",
        password=PASSWORD,
        roles={Role.PROGRAM_ADMIN},
    )
    organisation.email_domains = ["acme.test"]
    organisation.save()
    IdentityProvider.objects.create(
        organisation=organisation,
        display_name="Okta",
        oidc_server_url="https://acme.okta.example",
        oidc_client_id="bridgework",
        sso_only=True,
        break_glass_admin=keeper,
    )
    return keeper


def password_signs_in(person: Person) -> bool:
    request = RequestFactory().post("/accounts/login/")
    return authenticate(request, email=person.email, password=PASSWORD) == person


def test_the_delete_page_tells_the_break_glass_admin_what_happens(
    break_glass: Person, program_admin: Person
) -> None:
    page = client_for(break_glass).get(DELETE).content.decode()
    assert WARNING in page
    assert "turns “Sign in only through the identity provider” off" in page
    assert WARNING not in client_for(program_admin).get(DELETE).content.decode()


def test_deleting_the_break_glass_admin_turns_sso_only_off_with_an_audit_row(
    break_glass: Person, organisation: Organisation, participant: Person
) -> None:
    assert not password_signs_in(participant)

    answer = client_for(break_glass).post(DELETE, {"password": PASSWORD})

    assert answer.status_code == 302
    assert not Person.objects.filter(pk=break_glass.pk).exists()
    provider = IdentityProvider.objects.get(organisation=organisation)
    assert not provider.sso_only and provider.break_glass_admin is None
    trail = SettingsChange.objects.get(organisation=organisation, setting=SSO_ONLY_TURNED_OFF)
    assert trail.changed_by is None  # kept without the erased person's name
    assert password_signs_in(participant)


def test_deleting_someone_else_leaves_sso_only_on(
    break_glass: Person, organisation: Organisation, participant: Person
) -> None:
    accounts_services.erase_person(person=participant)
    assert IdentityProvider.objects.get(organisation=organisation).sso_only
    assert not SettingsChange.objects.filter(setting=SSO_ONLY_TURNED_OFF).exists()
