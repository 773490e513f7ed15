"""Signing in through an organisation's SAML 2.0 identity provider: pysaml2's IdP signs
real responses; our side (allauth, python3-saml, xmlsec) verifies them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import time_machine
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import SESSION_KEY
from django.test import Client

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.models import IdentityProvider, Protocol

from .saml_idp import SamlIdP

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as Response

pytestmark = pytest.mark.django_db

HOST = "bridgework.acme.test"
ACS = "/accounts/saml/acme/acs/"


@pytest.fixture
def browser(settings: Any) -> Client:
    settings.ALLOWED_HOSTS = [HOST]
    return Client(HTTP_HOST=HOST)


def connect(tmp_path: Path, organisation: Organisation, browser: Client, **kwargs: str) -> SamlIdP:
    """The admin pastes the IdP's metadata, then gives the IdP our SP metadata."""
    organisation.email_domains = ["acme.test"]
    organisation.save()
    idp = SamlIdP(tmp_path, **kwargs)
    IdentityProvider.objects.create(
        organisation=organisation,
        protocol=Protocol.SAML,
        display_name="Acme SAML",
        saml_metadata_xml=idp.metadata(),
    )
    sp_metadata = browser.get("/accounts/saml/acme/metadata/")
    assert sp_metadata.status_code == 200, sp_metadata.content
    idp.trust(sp_metadata.content.decode())
    return idp


def start(browser: Client) -> str:
    answer = browser.post("/accounts/saml/acme/login/")
    assert answer.status_code == 302, answer.content
    assert answer["Location"].startswith(SamlIdP.SSO_URL)
    return answer["Location"]


def post_back(browser: Client, form: dict[str, str]) -> Response:
    kept = browser.post(ACS, form)
    assert kept.status_code == 302
    return browser.get(kept["Location"])


def signed_in(browser: Client) -> bool:
    return SESSION_KEY in browser.session


def test_a_person_signs_in_with_a_signed_assertion(
    tmp_path: Path, organisation: Organisation, participant: Person, browser: Client
) -> None:
    idp = connect(tmp_path, organisation, browser)
    form = idp.answer(start(browser), email="pat@acme.test", name="Pat")
    answer = post_back(browser, form)
    assert answer.status_code == 302 and answer["Location"] == "/"
    assert browser.session[SESSION_KEY] == str(participant.pk)
    kept = SocialAccount.objects.get(user=participant).extra_data
    assert set(kept) <= {"uid", "email", "name"}
    assert "member" not in str(kept)


def test_our_sp_metadata_names_the_assertion_consumer(
    tmp_path: Path, organisation: Organisation, browser: Client
) -> None:
    connect(tmp_path, organisation, browser)
    metadata = browser.get("/accounts/saml/acme/metadata/").content.decode()
    assert f"http://{HOST}{ACS}" in metadata
    assert 'WantAssertionsSigned="true"' in metadata


@dataclass
class Refusals:
    """Sign-ins that must fail: each gives a sentence, a log line naming why, and no session."""

    tmp_path: Path
    organisation: Organisation
    browser: Client
    caplog: pytest.LogCaptureFixture

    def connect(self, **kwargs: str) -> SamlIdP:
        return connect(self.tmp_path, self.organisation, self.browser, **kwargs)

    def other_idp(self, **kwargs: str) -> SamlIdP:
        """Another IdP that our SP metadata was also given to, but whose metadata we lack."""
        other = SamlIdP(self.tmp_path, **kwargs)
        other.trust(self.browser.get("/accounts/saml/acme/metadata/").content.decode())
        return other

    def answer_from(self, idp: SamlIdP, email: str = "pat@acme.test", **kwargs: str) -> Response:
        form = idp.answer(start(self.browser), email=email, name="Pat", **kwargs)
        return self.post_back(form)

    def post_back(self, form: dict[str, str], browser: Client | None = None) -> Response:
        with self.caplog.at_level(logging.INFO):
            return post_back(browser or self.browser, form)

    def assert_refused(self, answer: Response, reason: str, browser: Client | None = None) -> None:
        assert answer.status_code in {400, 403}, answer.content[:300]
        assert b"not signed in" in answer.content.lower()
        assert not signed_in(browser or self.browser)
        lines = [r.getMessage() for r in self.caplog.records if r.name.startswith("bridgework.sso")]
        assert any(reason in line for line in lines), lines


@pytest.fixture
def refusals(
    tmp_path: Path, organisation: Organisation, browser: Client, caplog: pytest.LogCaptureFixture
) -> Refusals:
    return Refusals(tmp_path, organisation, browser, caplog)


@pytest.mark.usefixtures("participant")
def test_a_response_signed_by_another_key_is_refused(refusals: Refusals) -> None:
    refusals.connect()
    impostor = refusals.other_idp()  # same entity ID, its own key
    refusals.assert_refused(refusals.answer_from(impostor), "Signature validation failed")


@pytest.mark.usefixtures("participant")
def test_an_unknown_issuer_is_refused(refusals: Refusals) -> None:
    refusals.connect()
    stranger = refusals.other_idp(entity_id="https://idp.elsewhere.test/saml")
    refusals.assert_refused(refusals.answer_from(stranger), "issuer")


@pytest.mark.usefixtures("participant")
def test_the_wrong_audience_is_refused(refusals: Refusals) -> None:
    idp = refusals.connect()
    # The IdP also serves another application, at the same consumer address.
    ours = refusals.browser.get("/accounts/saml/acme/metadata/").content.decode()
    idp.trust(ours, ours.replace(f"http://{HOST}/accounts/saml/acme/metadata/", "https://other.sp"))
    answer = refusals.answer_from(idp, audience="https://other.sp")
    refusals.assert_refused(answer, "audience")


@pytest.mark.usefixtures("participant")
def test_an_expired_assertion_is_refused(refusals: Refusals) -> None:
    idp = refusals.connect()
    form = idp.answer(start(refusals.browser), email="pat@acme.test", name="Pat")
    with time_machine.travel(timedelta(hours=2), tick=True):
        answer = refusals.post_back(form)
    refusals.assert_refused(answer, "expired")


@pytest.mark.usefixtures("participant")
def test_a_replayed_assertion_is_refused(refusals: Refusals) -> None:
    idp = refusals.connect()
    form = idp.answer(start(refusals.browser), email="pat@acme.test", name="Pat")
    assert post_back(refusals.browser, form).status_code == 302
    again = Client(HTTP_HOST=HOST)
    refusals.assert_refused(refusals.post_back(form, again), "SAML assertion replayed", again)


def test_an_address_outside_the_domains_is_refused(refusals: Refusals) -> None:
    idp = refusals.connect()
    refusals.assert_refused(refusals.answer_from(idp, email="eve@elsewhere.test"), "domain outside")
    assert not Person.objects.filter(email="eve@elsewhere.test").exists()


@pytest.mark.parametrize("step", ["login", "metadata", "acs/finish", "sls"])
def test_an_address_naming_no_possible_organisation_is_not_found(
    browser: Client, step: str
) -> None:
    # allauth's SAML addresses take any text as the organisation; a NUL byte once reached
    # PostgreSQL, which refuses it with an error.
    assert browser.get(f"/accounts/saml/%00/{step}/").status_code == 404
    assert browser.get(f"/accounts/saml/no-such-org/{step}/").status_code == 404
