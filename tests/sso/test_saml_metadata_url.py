"""SAML by IdP metadata address: the admin gives the address where the IdP publishes its
metadata (pysaml2's IdP serves it on loopback); we read it when it is saved, and a wrong,
unreachable or non-metadata address is one sentence next to the field, the same whatever
went wrong, never a 500."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person
from bridgework.sso.models import IdentityProvider, Protocol

from ..conftest import client_for
from .saml_idp import LoopbackSamlIdP

pytestmark = pytest.mark.django_db

HOST = "bridgework.acme.test"
SETTINGS = reverse("sso_settings")
UNREADABLE = "Bridgework could not read identity provider settings from that address."


@pytest.fixture
def served_idp(tmp_path: Path) -> Iterator[LoopbackSamlIdP]:
    idp = LoopbackSamlIdP(tmp_path).start()
    cache.clear()  # allauth keeps fetched metadata in the cache by address
    yield idp
    idp.stop()
    cache.clear()


@pytest.fixture
def admin(organisation: Organisation, program_admin: Person, settings: Any) -> Client:
    settings.ALLOWED_HOSTS = [HOST]
    organisation.email_domains = ["acme.test"]
    organisation.save()
    client = client_for(program_admin)
    client.defaults["HTTP_HOST"] = HOST
    return client


def saml_form(metadata_url: str) -> dict[str, str]:
    return {
        "protocol": "saml",
        "display_name": "Acme SAML",
        "saml_metadata_url": metadata_url,
        "saml_metadata_xml": "",
        "break_glass_admin": "",
    }


def test_an_admin_connects_saml_by_metadata_address_and_people_sign_in(
    served_idp: LoopbackSamlIdP, admin: Client, participant: Person
) -> None:
    saved = admin.post(SETTINGS, saml_form(served_idp.metadata_url))
    assert saved.status_code == 302, saved.content.decode()
    provider = IdentityProvider.objects.get()
    assert provider.protocol == Protocol.SAML and provider.saml_metadata_xml == ""
    served_idp.idp.trust(admin.get("/accounts/saml/acme/metadata/").content.decode())

    browser = Client(HTTP_HOST=HOST)
    start = browser.post("/accounts/saml/acme/login/")
    assert start.status_code == 302
    assert start["Location"].startswith(f"{served_idp.base}/sso/redirect?")
    form = served_idp.idp.answer(start["Location"], email=participant.email, name="Pat")
    kept = browser.post("/accounts/saml/acme/acs/", form)
    assert browser.get(kept["Location"]).status_code == 302
    assert browser.session[SESSION_KEY] == str(participant.pk)


def refused_with(admin: Client, url: str, sentence: str) -> None:
    answer = admin.post(SETTINGS, saml_form(url))
    assert answer.status_code == 200
    assert sentence in answer.content.decode()
    assert not IdentityProvider.objects.exists()


def test_an_address_that_is_not_a_url_is_explained(admin: Client) -> None:
    refused_with(admin, "idp metadata please", "Enter a valid URL.")


def test_an_unreachable_address_is_refused(admin: Client) -> None:
    refused_with(admin, "http://127.0.0.1:9/metadata", UNREADABLE)


def test_an_address_that_answers_with_an_error_is_refused_without_its_status(
    served_idp: LoopbackSamlIdP, admin: Client
) -> None:
    answer = admin.post(SETTINGS, saml_form(f"{served_idp.base}/gone"))
    assert UNREADABLE in answer.content.decode()
    assert "HTTP 404" not in answer.content.decode()


def test_an_address_that_serves_no_metadata_is_refused_the_same_way(
    served_idp: LoopbackSamlIdP, admin: Client
) -> None:
    refused_with(admin, f"{served_idp.base}/not-metadata", UNREADABLE)


def test_an_ftp_address_is_refused_without_being_fetched(admin: Client) -> None:
    refused_with(admin, "ftp://127.0.0.1/metadata", "Give an http:// or https:// address.")


def test_an_idp_briefly_down_does_not_block_other_changes(
    served_idp: LoopbackSamlIdP, admin: Client
) -> None:
    assert admin.post(SETTINGS, saml_form(served_idp.metadata_url)).status_code == 302
    served_idp.stop()
    renamed = {**saml_form(served_idp.metadata_url), "display_name": "Acme Sign-in"}
    assert admin.post(SETTINGS, renamed).status_code == 302
    assert IdentityProvider.objects.get().display_name == "Acme Sign-in"


def test_an_idp_unreachable_at_sign_in_time_is_a_sentence_not_a_500(
    served_idp: LoopbackSamlIdP,
    admin: Client,
    participant: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert admin.post(SETTINGS, saml_form(served_idp.metadata_url)).status_code == 302
    served_idp.stop()
    cache.clear()

    assert Client(HTTP_HOST=HOST).get("/sso/acme/").status_code == 200
    with caplog.at_level(logging.WARNING):
        answer = Client(HTTP_HOST=HOST).post("/accounts/saml/acme/login/")
    assert answer.status_code == 400
    assert "We could not reach Acme SAML to sign you in" in answer.content.decode()
    assert any("SAML metadata of organisation" in r.getMessage() for r in caplog.records)
