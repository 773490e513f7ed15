"""The Sign-in settings make our server fetch the addresses a program admin types. Only public
addresses are fetched, and each redirect is checked again: a loopback, private or link-local
address (cloud metadata at 169.254.169.254) is refused without a request, and every failure
reads the same one sentence, so the page cannot be used to map the server's network."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from allauth.socialaccount.adapter import get_adapter
from django.test import Client
from django.urls import reverse

from bridgework.accounts.models import Organisation, Person
from bridgework.lib.public_ip import is_public
from bridgework.sso import outbound
from bridgework.sso.models import IdentityProvider

from ..conftest import client_for

pytestmark = pytest.mark.django_db

SETTINGS = reverse("sso_settings")
UNREADABLE = "Bridgework could not read identity provider settings from that address."
# A name that, for these tests, resolves to a public address (and connects to the internal
# server below), as an attacker's own domain would.
PUBLIC_HOST = "idp.public.test"
PRETEND_PUBLIC_ADDRESS = "93.184.215.14"


class InternalServer:
    """A service on the server's own network: it answers 418 at /secret-path, 200 at
    /admin-panel, and redirects /to-inside to its own /secret-path; it notes every path asked."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.paths.append(self.path)
                if self.path.startswith("/to-inside"):
                    self.send_response(302)
                    self.send_header("Location", f"{server.base}/secret-path")
                else:
                    self.send_response(200 if self.path.startswith("/admin-panel") else 418)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._http.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._http.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()


@pytest.fixture(autouse=True)
def _on_loopback(settings: Any) -> None:
    """Here, as by default, private addresses are refused (the other SSO tests allow them)."""
    settings.SSO_ALLOW_PRIVATE_ADDRESSES = False


@pytest.fixture
def internal() -> Iterator[InternalServer]:
    server = InternalServer()
    yield server
    server.stop()


@pytest.fixture
def public_name_for(monkeypatch: pytest.MonkeyPatch, internal: InternalServer) -> None:
    """PUBLIC_HOST passes the check as a public address, and connects to the internal server
    (the way a name of the admin's own would)."""
    resolve, getaddrinfo = outbound.resolve, socket.getaddrinfo

    def checked(host: str, port: int) -> list[str]:
        return [PRETEND_PUBLIC_ADDRESS] if host == PUBLIC_HOST else resolve(host, port)

    def connected(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        return getaddrinfo("127.0.0.1" if host == PUBLIC_HOST else host, port, *args, **kwargs)

    monkeypatch.setattr(outbound, "resolve", checked)
    monkeypatch.setattr(socket, "getaddrinfo", connected)


@pytest.fixture
def admin(organisation: Organisation, program_admin: Person) -> Client:
    organisation.email_domains = ["acme.test"]
    organisation.save()
    return client_for(program_admin)


def saml_form(url: str) -> dict[str, str]:
    return {
        "protocol": "saml",
        "display_name": "x",
        "saml_metadata_url": url,
        "saml_metadata_xml": "",
        "break_glass_admin": "",
    }


def oidc_form(issuer: str) -> dict[str, str]:
    return {
        "protocol": "oidc",
        "display_name": "x",
        "oidc_server_url": issuer,
        "oidc_client_id": "bridgework",
        "client_secret": "s3cret",
        "saml_metadata_url": "",
        "saml_metadata_xml": "",
        "break_glass_admin": "",
    }


@pytest.mark.parametrize("path", ["/secret-path", "/admin-panel", "/to-inside"])
def test_an_admins_internal_metadata_address_is_refused_unread(
    admin: Client, internal: InternalServer, path: str
) -> None:
    answer = admin.post(SETTINGS, saml_form(f"{internal.base}{path}"))

    assert answer.status_code == 200
    page = answer.content.decode()
    assert UNREADABLE in page
    # The status the service gave is not told (the address typed is echoed in its field,
    # and its port may hold the digits).
    assert "HTTP 418" not in page and "does not serve" not in page
    assert internal.paths == []
    assert not IdentityProvider.objects.exists()


def test_an_admins_internal_issuer_is_refused_unread(
    admin: Client, internal: InternalServer
) -> None:
    answer = admin.post(SETTINGS, oidc_form(f"{internal.base}/admin-panel"))

    assert answer.status_code == 200
    assert UNREADABLE in answer.content.decode()
    assert internal.paths == []


@pytest.mark.parametrize(
    "address",
    [
        "169.254.169.254",
        "10.0.0.7",
        "192.168.1.1",
        "::1",
        "fd00::7",
        "0.0.0.0",  # noqa: S104 (refused, not bound)
    ],
)
def test_a_name_that_resolves_to_an_internal_address_is_refused_and_logged_without_query(
    admin: Client,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    address: str,
) -> None:
    monkeypatch.setattr(outbound, "resolve", lambda host, port: [PRETEND_PUBLIC_ADDRESS, address])

    with caplog.at_level(logging.INFO, logger="bridgework.sso"):
        answer = admin.post(SETTINGS, saml_form("http://idp.evil.test/metadata?token=s3cret"))

    assert UNREADABLE in answer.content.decode()
    [logged] = [r.getMessage() for r in caplog.records if r.name == "bridgework.sso.outbound"]
    assert "refused to fetch http://idp.evil.test/metadata" in logged
    assert "s3cret" not in logged


def test_a_redirect_from_a_public_address_to_an_internal_one_is_refused(
    admin: Client, internal: InternalServer, public_name_for: None
) -> None:
    answer = admin.post(SETTINGS, saml_form(f"http://{PUBLIC_HOST}:{internal.port}/to-inside"))

    assert UNREADABLE in answer.content.decode()
    assert internal.paths == ["/to-inside"]  # never /secret-path


def test_a_redirect_from_a_public_issuer_to_an_internal_one_is_refused(
    admin: Client, internal: InternalServer, public_name_for: None
) -> None:
    answer = admin.post(SETTINGS, oidc_form(f"http://{PUBLIC_HOST}:{internal.port}/to-inside"))

    assert UNREADABLE in answer.content.decode()
    assert internal.paths == ["/to-inside/.well-known/openid-configuration"]


def test_a_public_address_is_fetched_and_its_answer_not_told(
    admin: Client, internal: InternalServer, public_name_for: None
) -> None:
    answer = admin.post(SETTINGS, saml_form(f"http://{PUBLIC_HOST}:{internal.port}/secret-path"))

    assert internal.paths == ["/secret-path"]
    page = answer.content.decode()
    assert UNREADABLE in page and "HTTP 418" not in page


def test_production_fetches_only_https(
    admin: Client, internal: InternalServer, public_name_for: None, settings: Any
) -> None:
    settings.SSO_REQUIRE_HTTPS = True

    answer = admin.post(SETTINGS, saml_form(f"http://{PUBLIC_HOST}:{internal.port}/admin-panel"))

    assert UNREADABLE in answer.content.decode()
    assert internal.paths == []


def test_every_fetch_for_sign_in_goes_only_to_public_addresses(internal: InternalServer) -> None:
    """Discovery, the provider's keys (`jwks_uri`) and its token endpoint are named by the
    provider's documents and fetched through allauth's requests session: it is guarded too."""
    with get_adapter().get_requests_session() as session, pytest.raises(outbound.AddressRefused):
        session.get(f"{internal.base}/admin-panel/jwks")
    assert internal.paths == []


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.0.1",
        "100.64.0.1",
        "169.254.169.254",
        "0.0.0.0",  # noqa: S104 (refused, not bound)
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fd00::1",
        "fe80::1%eth0",
        "fec0::1",
        "ff0e::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::1",
        "64:ff9b::a9fe:a9fe",
        "not an address",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public(address)


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.215.14"]
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public(address)
