"""Pages a signed-in person sees are never kept by a browser's or a proxy's cache: each one
says `Cache-Control: private, no-store`. Static files and pages for people who are not
signed in keep their own caching. (The authorization matrix checks the header on every URL
pattern for every signed-in position.)"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Invitation, Person

from .conftest import client_for

PRIVATE = "private, no-store"


@pytest.mark.parametrize(
    "path", ["/", "/reflect/journal/", "/practice/", "/community/", "/profile/", "/no-such-page/"]
)
def test_every_signed_in_page_says_private_no_store(path: str, participant: Person) -> None:
    response = client_for(participant).get(path)

    assert response["Cache-Control"] == PRIVATE


def test_htmx_fragments_and_redirects_of_signed_in_people_are_private_too(
    participant: Person,
) -> None:
    client = client_for(participant)

    fragment = client.get("/practice/pick/", headers={"HX-Request": "true"})
    redirect = client.post("/practice/capacity", {"capacity": "low"})

    assert fragment["Cache-Control"] == PRIVATE
    assert (redirect.status_code, redirect["Cache-Control"]) == (302, PRIVATE)


def test_signing_in_answers_privately_from_the_moment_the_person_is_known(
    participant: Person,
) -> None:
    response = Client().post(
        reverse("account_login"),
        {"login": participant.email, "password": "correct horse battery staple"},
    )

    assert response.status_code == 302
    assert response["Cache-Control"] == PRIVATE


def test_pages_for_people_not_signed_in_keep_their_own_caching(
    pending_invitation: tuple[Invitation, str],
) -> None:
    _, token = pending_invitation
    assert "Cache-Control" not in Client().get(f"/invitation/{token}/")
    assert Client().get("/healthz")["Cache-Control"] != PRIVATE
    # The sign-in page's own header (from allauth) is left as it is.
    sign_in = Client().get(reverse("account_login"))
    assert sign_in["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_static_files_stay_cacheable_for_a_signed_in_person(participant: Person) -> None:
    response = client_for(participant).get("/static/css/bridgework.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
