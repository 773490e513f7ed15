"""Someone who signs in only through the organisation's identity provider can still delete
their account: with no password to type, a sign-in through the provider in the last ten
minutes confirms it is them, and the page links to that sign-in and brings them back."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
from django.test import Client

from bridgework.accounts.models import Organisation, Person

from ..conftest import Clock, client_for
from .oidc_provider import OIDCProvider, Someone
from .support import connect_oidc, path_of, sign_in_through

pytestmark = pytest.mark.django_db

DELETE = "/profile/delete-account"
PAT = Someone(email="pat@acme.test", name="Pat")


@pytest.fixture
def sso_only(organisation: Organisation, program_admin: Person, idp: OIDCProvider) -> None:
    provider = connect_oidc(organisation, idp)
    provider.sso_only = True
    provider.break_glass_admin = program_admin
    provider.save()


@pytest.mark.usefixtures("sso_only")
def test_the_page_asks_for_a_fresh_sign_in_instead_of_a_password(participant: Person) -> None:
    page = client_for(participant).get(DELETE).content.decode()
    assert 'name="password"' not in page
    assert 'name="confirm"' in page
    assert 'href="/sso/acme/?next=/profile/delete-account">sign in again</a>' in page


@pytest.mark.usefixtures("sso_only")
def test_a_long_open_session_cannot_delete_the_account(participant: Person) -> None:
    answer = client_for(participant).post(DELETE, {"confirm": "on"})
    assert answer.status_code == 400
    assert "To confirm it is you, sign in again first" in answer.content.decode()
    assert Person.objects.filter(pk=participant.pk).exists()


@pytest.mark.usefixtures("sso_only")
def test_the_sign_in_page_brings_them_back_to_the_delete_page() -> None:
    page = Client().get("/sso/acme/", {"next": DELETE}).content.decode()
    assert f'<input type="hidden" name="next" value="{DELETE}">' in page
    elsewhere = Client().get("/sso/acme/", {"next": "https://evil.example/"}).content.decode()
    assert "evil.example" not in elsewhere


@pytest.mark.usefixtures("sso_only")
def test_a_fresh_sign_in_through_the_provider_confirms_it(
    participant: Person, idp: OIDCProvider, clock: Clock
) -> None:
    client = Client()
    sign_in_through(client, idp, PAT)

    unticked = client.post(DELETE, {})
    assert unticked.status_code == 400
    assert "Tick the box to confirm" in unticked.content.decode()

    answer = client.post(DELETE, {"confirm": "on"})
    assert answer.status_code == 302
    assert not Person.objects.filter(pk=participant.pk).exists()


@pytest.mark.usefixtures("sso_only")
def test_the_fresh_sign_in_counts_for_ten_minutes(
    participant: Person, idp: OIDCProvider, clock: Clock
) -> None:
    client = Client()
    sign_in_through(client, idp, PAT)
    clock.move_to(clock.now() + timedelta(minutes=11))
    answer = client.post(DELETE, {"confirm": "on"})
    assert answer.status_code == 400
    assert Person.objects.filter(pk=participant.pk).exists()


@pytest.mark.usefixtures("sso_only")
def test_the_break_glass_admin_still_confirms_with_their_password(program_admin: Person) -> None:
    page = client_for(program_admin).get(DELETE).content.decode()
    assert 'name="password"' in page and 'name="confirm"' not in page


@pytest.mark.usefixtures("sso_only", "participant")
def test_signing_in_again_comes_back_to_the_delete_page(idp: OIDCProvider) -> None:
    client = Client()
    idp.next_person = PAT
    start = client.post("/sso/oidc/acme/login/", {"next": DELETE})
    at_provider = requests.get(start["Location"], allow_redirects=False, timeout=30)
    back = client.get(path_of(at_provider.headers["Location"]))
    assert back.status_code == 302 and back["Location"] == DELETE
