"""The OpenID Connect provider allauth uses for organisations' identity providers.

allauth's own `openid_connect` provider skips the ID token's signature when the token came
straight from the token endpoint (the specification allows it over TLS) and sends no nonce.
This one always verifies the signature with the provider's published keys, refuses
unsigned and HMAC-signed tokens, and binds each sign-in to a nonce kept in the session.
allauth finds it through `provider_classes` (its registry imports `<app>.provider`).
"""

from __future__ import annotations

import secrets
from typing import Any

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import build_absolute_uri
from django.http import HttpRequest
from django.urls import reverse
from jwt import get_unverified_header
from jwt.exceptions import PyJWTError

from .outbound import UNREADABLE

PROVIDER_ID = "organisation_oidc"
KEPT_CLAIMS = ("iss", "sub", "email", "name")
SIGNING_ALGORITHMS = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384"}
WELL_KNOWN = "/.well-known/openid-configuration"
DISCOVERY_TIMEOUT_SECONDS = 5
# What sign-in reads from the discovery document; without any of them it cannot start.
DISCOVERED = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")


class DiscoveryUnavailable(Exception):
    """The issuer's discovery document could not be read. The message is a sentence for the
    settings page; `reason` goes to the log (what failed, never the address or a secret)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def discovery_url(server_url: str) -> str:
    """Where the discovery document is, as allauth finds it from the issuer's address."""
    return server_url if "/.well-known/" in server_url else server_url + WELL_KNOWN


def read_discovery(server_url: str) -> dict[str, Any]:
    """The issuer's discovery document, read the way allauth reads it at sign-in (its
    requests session), so that what the settings page accepts is what sign-in can use.
    Every failure has the same message (`outbound.UNREADABLE`); only `reason` says which."""
    try:
        with get_adapter().get_requests_session() as session:
            response = session.get(discovery_url(server_url), timeout=DISCOVERY_TIMEOUT_SECONDS)
            response.raise_for_status()
            config = response.json()
    except requests.HTTPError as error:
        code = error.response.status_code if error.response is not None else 0
        raise DiscoveryUnavailable(str(UNREADABLE), reason=f"HTTP {code}") from None
    except (requests.RequestException, ValueError) as error:
        raise DiscoveryUnavailable(str(UNREADABLE), reason=type(error).__name__) from None
    if not isinstance(config, dict) or not all(
        isinstance(config.get(name), str) and config[name] for name in DISCOVERED
    ):
        raise DiscoveryUnavailable(str(UNREADABLE), reason="not a discovery document")
    return config


class IdTokenRefused(OAuth2Error):
    """An ID token we do not accept; `reason` goes to the log (it holds no token data)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _nonce_key(provider_id: str) -> str:
    return f"bridgework_oidc_nonce:{provider_id}"


class OrganisationOIDCAdapter(OpenIDConnectOAuth2Adapter):
    @property
    def openid_config(self) -> dict[str, Any]:
        # allauth's own lets a provider that cannot be reached out as a server error; this
        # raises DiscoveryUnavailable, which the views answer with a sentence.
        if not hasattr(self, "_openid_config"):
            self._openid_config = read_discovery(self.get_provider().app.settings["server_url"])
        return self._openid_config

    def complete_login(self, request: HttpRequest, app: Any, token: Any, **kwargs: Any) -> Any:
        if not kwargs["response"].get("id_token"):
            raise IdTokenRefused("token response has no ID token")
        return super().complete_login(request, app, token, **kwargs)

    def _decode_id_token(self, app: Any, id_token: str) -> dict[str, Any]:
        try:
            algorithm = get_unverified_header(id_token).get("alg")
        except PyJWTError:
            raise IdTokenRefused("ID token is not a JWT") from None
        if algorithm not in SIGNING_ALGORITHMS:
            raise IdTokenRefused(f"ID token signed with {str(algorithm)[:20]!r}")
        try:
            claims: dict[str, Any] = jwtkit.verify_and_decode(
                credential=id_token,
                keys_url=self.openid_config["jwks_uri"],
                issuer=self.openid_config["issuer"],
                audience=app.client_id,
                lookup_kid=jwtkit.lookup_kid_jwk,
                verify_signature=True,
            )
        except OAuth2Error as error:
            cause = type(error.__cause__).__name__ if error.__cause__ else str(error)[:60]
            raise IdTokenRefused(f"ID token refused: {cause}") from None
        expected = self.request.session.pop(_nonce_key(self.provider_id), None)
        if not expected or not secrets.compare_digest(str(claims.get("nonce", "")), expected):
            raise IdTokenRefused("ID token nonce does not match this sign-in")
        return claims

    def get_callback_url(self, request: HttpRequest, app: Any) -> str:
        url = reverse(f"{PROVIDER_ID}_callback", kwargs={"provider_id": self.provider_id})
        return str(build_absolute_uri(request, url, self.redirect_uri_protocol))


class OrganisationOIDCProvider(OpenIDConnectProvider):
    id = PROVIDER_ID
    name = "OpenID Connect"
    oauth2_adapter_class = OrganisationOIDCAdapter

    def extract_extra_data(self, data: dict[str, Any]) -> dict[str, Any]:
        # Kept on the social account: who the provider says this is, nothing more.
        claims = data.get("id_token") or {}
        return {"id_token": {key: claims[key] for key in KEPT_CLAIMS if key in claims}}

    def get_default_scope(self) -> list[str]:
        # Name and e-mail only: no groups, no other profile claims are asked for.
        return ["openid", "email", "profile"]

    def redirect(self, request: HttpRequest, process: Any, *args: Any, **kwargs: Any) -> Any:
        nonce = secrets.token_urlsafe(24)
        request.session[_nonce_key(self.app.provider_id)] = nonce
        auth_params = kwargs.pop("auth_params", None) or self.get_auth_params()
        auth_params["nonce"] = nonce
        return super().redirect(request, process, *args, auth_params=auth_params, **kwargs)


provider_classes = [OrganisationOIDCProvider]
