"""Which language a page is in: the person's own choice, else their organisation's default;
before signing in, a chosen language, else the browser's. Choosing costs no query."""

from __future__ import annotations

import pytest
from django.test import Client

from bridgework.accounts.models import Organisation, Person

from .conftest import client_for

pytestmark = pytest.mark.django_db


def page_language(response: object) -> str:
    return str(response["Content-Language"])  # type: ignore[index]


def test_before_sign_in_the_browser_language_decides() -> None:
    response = Client().get("/accounts/login/", headers={"accept-language": "fr-CA,fr;q=0.9"})

    assert page_language(response) == "fr"
    assert '<html lang="fr" dir="ltr">' in response.content.decode()


def test_a_language_chosen_before_sign_in_is_kept() -> None:
    browser = Client()

    chosen = browser.post("/language", {"language": "es", "next": "/accounts/login/"})
    response = browser.get("/accounts/login/", headers={"accept-language": "fr"})

    assert chosen.status_code == 302
    assert page_language(response) == "es"


def test_an_unknown_language_falls_back_to_english() -> None:
    response = Client().get("/accounts/login/", headers={"accept-language": "tlh"})

    assert page_language(response) == "en"


def test_a_person_sees_their_organisation_default_until_they_choose(
    organisation: Organisation, participant: Person
) -> None:
    organisation.default_language = "fr"
    organisation.save()

    assert page_language(client_for(participant).get("/profile/")) == "fr"

    participant.language = "es"
    participant.save()

    response = client_for(participant).get("/profile/", headers={"accept-language": "fr"})
    assert page_language(response) == "es"


def test_choosing_a_language_on_profile_switches_at_once(participant: Person) -> None:
    client = client_for(participant)

    response = client.post(
        "/profile/", {"chosen_name": participant.chosen_name, "language": "fr"}, follow=True
    )

    participant.refresh_from_db()
    assert participant.language == "fr"
    assert page_language(response) == "fr"


def test_profile_refuses_a_language_it_does_not_offer(participant: Person) -> None:
    response = client_for(participant).post(
        "/profile/", {"chosen_name": participant.chosen_name, "language": "tlh"}
    )

    participant.refresh_from_db()
    assert response.status_code == 200
    assert participant.language == ""
    assert "not one of the available choices" in response.content.decode()
