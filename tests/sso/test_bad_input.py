"""What a broken or hostile identity provider (or someone replaying a sign-in) gets: a
clear sentence on the page, one log line without secrets, never a session, never a 500."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
import requests
from django.contrib.auth import SESSION_KEY
from django.test import Client

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.models import IdentityProvider

from .oidc_provider import OIDCProvider, Someone
from .support import connect_oidc, path_of, sign_in_through

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

PAT = Someone(email="pat@acme.test", name="Pat")


@pytest.fixture
def connected(
    organisation: Organisation, participant: Person, idp: OIDCProvider
) -> IdentityProvider:
    provider = connect_oidc(organisation, idp)
    return provider


def assert_refused(
    answer: Response, client: Client, caplog: pytest.LogCaptureFixture, reason: str
) -> None:
    assert answer.status_code == 400, answer.content[:500]
    assert b"you are not signed in" in answer.content.lower()
    assert SESSION_KEY not in client.session
    refusals = [r.getMessage() for r in caplog.records if r.name.startswith("bridgework.sso")]
    assert any(reason in line for line in refusals), refusals
    secret_bits = ["pat@acme.test", "code=", "eyJ"]
    assert not any(bit in line for line in refusals for bit in secret_bits), refusals


@pytest.mark.parametrize(
    ("switch", "value", "reason"),
    [
        ("sign_with_unpublished_key", True, "InvalidSignatureError"),
        ("expired", True, "ExpiredSignatureError"),
        ("audience", "someone-else", "InvalidAudienceError"),
        ("issuer_claim", "https://impostor.example", "InvalidIssuerError"),
        ("nonce_claim", "not-the-nonce-we-sent", "nonce does not match"),
    ],
)
def test_an_id_token_we_cannot_trust_signs_no_one_in(
    connected: IdentityProvider,
    idp: OIDCProvider,
    caplog: pytest.LogCaptureFixture,
    switch: str,
    value: object,
    reason: str,
) -> None:
    setattr(idp, switch, value)
    client = Client()
    with caplog.at_level(logging.INFO):
        answer = sign_in_through(client, idp, PAT)
    assert_refused(answer, client, caplog, reason)
    assert b"could not verify the sign-in Acme Login sent" in answer.content


def test_a_callback_with_a_state_we_did_not_issue_is_refused(
    connected: IdentityProvider, idp: OIDCProvider, caplog: pytest.LogCaptureFixture
) -> None:
    idp.next_person = PAT
    client = Client()
    start = client.post("/sso/oidc/acme/login/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=30).headers["Location"]
    forged = path_of(back).replace("state=", "state=forged")
    with caplog.at_level(logging.INFO):
        answer = client.get(forged)
    assert_refused(answer, client, caplog, "state missing or already used")
    assert b"expired or was already used" in answer.content


def test_a_replayed_callback_does_not_sign_in_a_second_browser(
    connected: IdentityProvider, idp: OIDCProvider, caplog: pytest.LogCaptureFixture
) -> None:
    idp.next_person = PAT
    first = Client()
    start = first.post("/sso/oidc/acme/login/")
    back = requests.get(start["Location"], allow_redirects=False, timeout=30).headers["Location"]
    assert first.get(path_of(back)).status_code == 302
    thief = Client()
    with caplog.at_level(logging.INFO):
        answer = thief.get(path_of(back))
    assert_refused(answer, thief, caplog, "state missing or already used")


def test_an_error_from_the_provider_is_a_sentence_not_a_500(
    connected: IdentityProvider, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    client.post("/sso/oidc/acme/login/")
    state = next(iter(client.session["socialaccount_states"]))
    with caplog.at_level(logging.INFO):
        answer = client.get(f"/sso/oidc/acme/login/callback/?state={state}&error=access_denied")
    assert answer.status_code == 400
    assert b"You cancelled signing in at Acme Login" in answer.content
    assert SESSION_KEY not in client.session


def test_an_unknown_organisation_address_is_not_found() -> None:
    assert Client().post("/sso/oidc/nowhere/login/").status_code == 404
    assert Client().get("/sso/oidc/nowhere/login/callback/?state=x&code=y").status_code == 404
    assert Client().get("/sso/nowhere/").status_code == 404
