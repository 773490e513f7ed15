"""Where the browser is sent to sign in, so the page whose button sends it there can allow
it in its Content-Security-Policy.

The "Sign in with …" button posts to us and we redirect to the identity provider; Chromium
holds that redirect to the page's `form-action` too. The destination is the provider's
authorization endpoint (OpenID Connect, read from its discovery document, and often on
another origin than the issuer: a login domain of its own, a regional host) or the IdP's
single sign-on address (SAML, from its metadata). Both are looked up at most every few
minutes per provider and setting change, not at every page view.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from allauth.socialaccount.adapter import get_adapter
from django.core.cache import cache

from .models import IdentityProvider, Protocol
from .saml import MetadataUnavailable, published_metadata, sign_in_address_in

logger = logging.getLogger(__name__)

CACHE_SECONDS = 600
WELL_KNOWN = "/.well-known/openid-configuration"


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} else ""


def sign_in_origins(provider: IdentityProvider) -> list[str]:
    """The origins the browser is redirected to when it starts signing in there."""
    key = f"sso:sign-in-origins:{provider.pk}:{provider.updated_at.timestamp()}"
    found: list[str] | None = cache.get(key)
    if found is None:
        found = sorted({origin(url) for url in _sign_in_urls(provider)} - {""})
        cache.set(key, found, CACHE_SECONDS)
    return found


def _sign_in_urls(provider: IdentityProvider) -> list[str]:
    if provider.protocol == Protocol.OIDC:
        # Without its discovery document the issuer's own origin is the best guess.
        return [authorization_endpoint(provider.oidc_server_url) or provider.oidc_server_url]
    if provider.saml_metadata_xml:
        return [sign_in_address_in(provider.saml_metadata_xml)]
    try:
        return [sign_in_address_in(published_metadata(provider.saml_metadata_url))]
    except MetadataUnavailable:
        return [provider.saml_metadata_url]


def authorization_endpoint(server_url: str) -> str:
    """The authorization endpoint an OpenID Connect provider's discovery document names, read
    from the address allauth reads it from; empty when it cannot be read."""
    url = server_url if "/.well-known/" in server_url else server_url + WELL_KNOWN
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(url)
            response.raise_for_status()
            endpoint = response.json().get("authorization_endpoint")
    except Exception as error:  # any failure (network, status, not JSON) means "unknown"
        logger.info("sso: discovery document unreadable (%s)", type(error).__name__)
        return ""
    return endpoint if isinstance(endpoint, str) else ""
