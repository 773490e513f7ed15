"""What the server may fetch for an identity provider.

The addresses a program admin types on the Sign-in settings (SAML metadata, the OpenID
Connect issuer), and those the fetched documents name (the provider's keys, its token
endpoint), are read by our server: without a check, an admin could make it read, or map,
the network it runs in. So every such fetch, and every redirect on the way, goes only to an
address whose host resolves to public addresses alone (and only over https in production).
All of them go through allauth's requests session, which the adapter builds with `guard`.

The host is resolved here and again by the connection, so a name that changes its answer
in between (DNS rebinding) is not caught; pinning the connection to the checked address
would mean replacing urllib3's connection classes.
"""

from __future__ import annotations

import logging
import socket
from typing import Any
from urllib.parse import SplitResult, urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext_lazy
from requests.adapters import HTTPAdapter

from bridgework.lib.public_ip import is_public

logger = logging.getLogger(__name__)

# The one answer for every address that gave nothing usable, whether it was refused,
# unreachable, answered with an error or served something else: telling them apart would
# let an admin probe what answers where.
UNREADABLE = gettext_lazy(
    "Bridgework could not read identity provider settings from that address. Check that it "
    "is the provider's public https address."
)


class AddressRefused(requests.RequestException):
    """An address the server must not fetch. A RequestException, so every caller that copes
    with a provider being unreachable copes with this the same way."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, as the connection would look it up."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


def check(url: str) -> None:
    """Raise AddressRefused, and log why, unless `url` may be fetched."""
    parts = urlsplit(url)
    reason = _refusal(parts)
    if reason:
        # Never the query string or credentials: they can hold secrets.
        logger.info(
            "sso: refused to fetch %s://%s%s: %s",
            parts.scheme,
            parts.hostname,
            parts.path[:80],
            reason,
        )
        raise AddressRefused(reason)


def _refusal(parts: SplitResult) -> str:
    schemes = {"https"} if settings.SSO_REQUIRE_HTTPS else {"http", "https"}
    if parts.scheme not in schemes:
        return f"{parts.scheme[:10]!r} is not allowed"
    if not parts.hostname:
        return "no host"
    if settings.SSO_ALLOW_PRIVATE_ADDRESSES:
        return ""
    try:
        addresses = resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, ValueError, UnicodeError):
        return "the host does not resolve"
    if not addresses or not all(is_public(address) for address in addresses):
        return "the host resolves to a non-public address"
    return ""


class PublicAddressesOnly(HTTPAdapter):
    """requests sends the first request and each redirect it follows through `send`."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        check(request.url or "")
        return super().send(request, *args, **kwargs)


def guard(session: requests.Session) -> requests.Session:
    transport = PublicAddressesOnly()
    session.mount("http://", transport)
    session.mount("https://", transport)
    return session
