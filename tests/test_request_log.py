"""A refused request leaves one line in the log: status, method and path, nothing private.

The records are formatted with the project's own LOGGING formatter, so what is checked is
what an operator would read.
"""

from __future__ import annotations

import logging
from typing import Any, cast

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from bridgework.accounts.models import Organisation, Person, Role
from bridgework.operations.request_log import _path_without_secrets

from .conftest import client_for, invite

SECRET_REASON = "The moderation log is for facilitators and program admins."


def logged_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The django.request lines, as the console handler in settings writes them."""
    config = cast(dict[str, Any], settings.LOGGING)
    formatter = logging.Formatter(config["formatters"]["plain"]["format"])
    return [formatter.format(r) for r in caplog.records if r.name == "django.request"]


def test_a_forbidden_page_is_logged_as_one_line_without_a_traceback(
    participant: Person, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(participant).get(reverse("community_log"))

    assert response.status_code == 403
    [line] = logged_lines(caplog)
    [record] = [record for record in caplog.records if record.name == "django.request"]
    assert line.endswith("WARNING django.request 403 GET /community/moderation-log/")
    assert "\n" not in line
    assert "Traceback" not in line
    assert record.exc_info is None


def test_the_logged_line_leaves_out_the_reason_and_who_asked(
    participant: Person, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="django.request"):
        client_for(participant).get(reverse("community_log"))

    [line] = logged_lines(caplog)
    assert SECRET_REASON not in line
    assert participant.email not in line
    assert str(participant.chosen_name) not in line


def test_a_wrong_calendar_feed_address_is_logged_without_its_secret(
    db: None, caplog: pytest.LogCaptureFixture
) -> None:
    token = "guessed-feed-secret-0123456789"
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(None).get(reverse("cohort_feed", args=[token]))

    assert response.status_code == 404
    [line] = logged_lines(caplog)
    assert token not in line
    assert line.endswith("404 GET /cohorts/calendar/<token>.ics")


@pytest.mark.parametrize("suffix", ["/", "", ".ICS"])
def test_a_feed_address_that_matches_no_route_is_logged_without_its_secret(
    db: None, caplog: pytest.LogCaptureFixture, suffix: str
) -> None:
    """A calendar client or a link rewriter adds a slash or changes the ending: no route
    names the token then, and the whole path would be logged with it."""
    token = "We0b_jOPod9uH87j6aDffI5oXe2taZOZfLulajMXKTI"
    path = (
        f"/cohorts/calendar/{token}.ics{suffix}"
        if suffix == "/"
        else f"/cohorts/calendar/{token}{suffix}"
    )
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client_for(None).get(path)

    assert response.status_code == 404
    [line] = logged_lines(caplog)
    assert token not in line and "<token>" in line


def test_a_csrf_refusal_on_an_invitations_link_logs_the_reason_not_the_token(
    organisation: Organisation, program_admin: Person, caplog: pytest.LogCaptureFixture
) -> None:
    """The invitee's browser lost its CSRF cookie (blocked, expired, another device): the
    refusal is logged with its reason and the path, and the path without the invitation's
    token, or whoever reads the log could accept the invitation, with its roles."""
    _, token = invite(program_admin, "nia@example.com", roles=[Role.PROGRAM_ADMIN], name="Nia")
    with caplog.at_level(logging.INFO):
        browser = Client(enforce_csrf_checks=True)
        answer = browser.post(reverse("accept_invitation", args=[token]), {"chosen_name": "Nia"})

    assert answer.status_code == 403
    assert token not in caplog.text
    [refusal] = [r for r in caplog.records if r.name == "django.security.csrf"]
    assert refusal.getMessage() == "Forbidden (CSRF cookie not set.): /invitation/<token>/"


def test_allauths_reset_and_confirmation_keys_are_blanked_like_tokens() -> None:
    for name, kwargs in [
        ("account_reset_password_from_key", {"uidb36": "3f", "key": "cq8r2k-4f1c0d9a8b7e6f5a4b3c"}),
        ("account_confirm_email", {"key": "Mzk:1vWqXy:secretsecretsecret"}),
    ]:
        path = reverse(name, kwargs=kwargs)
        request = RequestFactory().get(path)
        request.resolver_match = resolve(path)
        logged = _path_without_secrets(request)
        assert kwargs["key"] not in logged and "<token>" in logged
