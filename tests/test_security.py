"""Security properties of every response, sign-in throttling, deployment settings and logs."""

from __future__ import annotations

import html
import json
import logging
import os
import re
import runpy
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.accounts.models import CommunityGroup, Person

from .conftest import PASSWORD, Cast, client_for, log_everything

REPO = Path(__file__).resolve().parent.parent
SETTINGS_FILE = REPO / "bridgework" / "settings.py"
PRIVATE = "My brother is gay and I never told anyone at work"


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    # allauth keeps its per-address limits in the cache, which outlives each test.
    cache.clear()


def policy_of(response: object) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    directives: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict_csp(response: object) -> None:
    """A nonce-based script-src, no inline allowance, and every script tag carrying the nonce."""
    assert response["Content-Type"].startswith("text/html")  # type: ignore[index]
    policy = policy_of(response)
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]  # type: ignore[index]
    nonces = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    assert len(nonces) == 1, policy["script-src"]
    nonce = nonces[0].removeprefix("'nonce-").removesuffix("'")
    assert len(nonce) >= 16
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    page = response.content.decode()  # type: ignore[attr-defined]
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert f'nonce="{nonce}"' in tag, tag


# (who, how to build the path)
PAGES: list[tuple[str, Callable[[Cast], str]]] = [
    ("anonymous", lambda cast: reverse("account_login")),
    ("anonymous", lambda cast: reverse("account_reset_password")),
    ("anonymous", lambda cast: reverse("accept_invitation", args=["no-such-token"])),
    ("anonymous", lambda cast: "/no-such-page/"),
    ("participant", lambda cast: reverse("home")),
    ("participant", lambda cast: reverse("profile")),
    ("participant", lambda cast: reverse("groups")),
    ("participant", lambda cast: reverse("people")),  # 403
    ("group_member", lambda cast: reverse("home")),
    ("facilitator", lambda cast: reverse("home")),
    ("program_admin", lambda cast: reverse("home")),
    ("program_admin", lambda cast: reverse("people")),
    ("program_admin", lambda cast: reverse("invite")),
    ("program_admin", lambda cast: reverse("import_csv")),
    ("program_admin", lambda cast: reverse("person_detail", args=[cast.participant.pk])),
    ("program_admin", lambda cast: reverse("manage_groups")),
    (
        "program_admin",
        lambda cast: reverse(
            "manage_group", args=[CommunityGroup.objects.get(members=cast.group_member).pk]
        ),
    ),
    ("stranger", lambda cast: reverse("person_detail", args=[cast.participant.pk])),  # 404
]


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_every_html_page_carries_a_nonce_based_content_security_policy(
    cast: Cast, who: str, path: Callable[[Cast], str]
) -> None:
    response = cast.client(who).get(path(cast))

    assert_strict_csp(response)


def test_each_response_gets_a_fresh_nonce(participant: Person) -> None:
    client = client_for(participant)

    first = policy_of(client.get(reverse("home")))["script-src"]
    second = policy_of(client.get(reverse("home")))["script-src"]

    assert first != second


def test_html_pages_forbid_framing_and_sniffing_and_keep_referrers_home(
    participant: Person,
) -> None:
    response = client_for(participant).get(reverse("home"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_healthz_reports_the_database_as_ok(db: None) -> None:
    response = Client().get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["database"] == "ok"
    assert "no-store" in response["Cache-Control"]


# --- Sign-in throttling --------------------------------------------------------------------


def attempt(email: str, password: str) -> tuple[Client, object]:
    client = Client()
    response = client.post(reverse("account_login"), {"login": email, "password": password})
    return client, response


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failed_sign_ins_lock_the_account(participant: Person) -> None:
    for _ in range(5):
        client, _ = attempt(participant.email, "not the password")
        assert not signed_in(client)

    client, response = attempt(participant.email, PASSWORD)

    assert not signed_in(client)
    assert response.status_code == 429  # type: ignore[attr-defined]
    page = response.content.decode()  # type: ignore[attr-defined]
    assert "Too many sign-in attempts" in page
    assert "paused for 15 minutes" in page
    assert_strict_csp(response)


def test_four_failed_sign_ins_do_not_lock_the_account(participant: Person) -> None:
    for _ in range(4):
        attempt(participant.email, "not the password")

    client, _ = attempt(participant.email, PASSWORD)

    assert signed_in(client)


def test_changing_the_case_of_the_address_does_not_earn_more_attempts(
    participant: Person,
) -> None:
    for number in range(5):
        variant = participant.email.upper() if number % 2 else participant.email.title()
        attempt(variant, "not the password")

    client, response = attempt(participant.email, PASSWORD)

    assert not signed_in(client)
    assert "Too many sign-in attempts" in response.content.decode()  # type: ignore[attr-defined]


def test_one_locked_account_does_not_lock_others_from_the_same_address(
    participant: Person, facilitator: Person
) -> None:
    for _ in range(5):
        attempt(participant.email, "not the password")

    client, _ = attempt(facilitator.email, PASSWORD)

    assert signed_in(client)


def test_a_failed_sign_in_never_logs_the_password_typed(
    participant: Person, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    attempt(participant.email, "hunter2-almost-my-password")

    assert "hunter2-almost-my-password" not in caplog.text


# --- Deployment settings -------------------------------------------------------------------


def production_env(data_dir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("BRIDGEWORK_")
        and key not in {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        BRIDGEWORK_ENV="production",
        BRIDGEWORK_ALLOWED_HOSTS="bridgework.example.com",
        BRIDGEWORK_DATA_DIR=str(data_dir),
    )
    return env


def test_production_settings_pass_the_django_deployment_check(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.fixture
def production_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """settings.py evaluated afresh as production would see it (the live settings untouched)."""
    for key, value in production_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    return runpy.run_path(str(SETTINGS_FILE))


def test_production_cookies_are_secure_and_hsts_is_on(
    production_settings: dict[str, object],
) -> None:
    assert production_settings["DEBUG"] is False
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert int(production_settings["SECURE_HSTS_SECONDS"]) >= 31536000  # type: ignore[call-overload]
    assert production_settings["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert production_settings["ALLOWED_HOSTS"] == ["bridgework.example.com"]
    assert production_settings["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"


def test_production_refuses_to_start_without_allowed_hosts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in production_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("BRIDGEWORK_ALLOWED_HOSTS")

    with pytest.raises(ImproperlyConfigured, match="BRIDGEWORK_ALLOWED_HOSTS"):
        runpy.run_path(str(SETTINGS_FILE))


# --- Error pages ---------------------------------------------------------------------------


def test_a_missing_page_is_a_friendly_404(participant: Person) -> None:
    response = client_for(participant).get("/no-such-page/")

    assert response.status_code == 404
    page = html.unescape(response.content.decode())
    assert "We can't find that page" in page
    assert "Traceback" not in page


def test_someone_elses_object_is_the_same_friendly_404(
    stranger: Person, participant: Person
) -> None:
    response = client_for(stranger).get(reverse("person_detail", args=[participant.pk]))

    assert response.status_code == 404
    assert "We can't find that page" in html.unescape(response.content.decode())


def test_a_page_outside_your_role_is_a_friendly_403(participant: Person) -> None:
    response = client_for(participant).get(reverse("people"))

    assert response.status_code == 403
    page = html.unescape(response.content.decode())
    assert "This page isn't part of your role" in page
    assert "ask your program admin" in page


# --- Logs ----------------------------------------------------------------------------------


def test_saving_a_private_intention_writes_nothing_of_it_to_the_logs(
    participant: Person, caplog: pytest.LogCaptureFixture
) -> None:
    log_everything(caplog)
    client = client_for(participant)

    with CaptureQueriesContext(connection) as queries:  # logs every SQL statement at DEBUG
        response = client.post(
            reverse("profile"),
            {"chosen_name": participant.chosen_name, "pronouns": "", "intention": PRIVATE},
        )
        client.get(reverse("profile"))

    assert response.status_code == 302
    assert any(record.name == "django.db.backends" for record in caplog.records)
    for fragment in (PRIVATE, "brother is gay"):
        assert fragment not in caplog.text
        assert all(fragment not in query["sql"] for query in queries.captured_queries)


def test_the_loggers_that_could_carry_private_text_stay_above_debug() -> None:
    # Template contexts and SQL parameters are logged at DEBUG; they must never be on.
    for name in ("django.template", "django.db.backends"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
