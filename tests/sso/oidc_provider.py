"""A real OpenID Connect provider on loopback for the SSO tests, built on Authlib's
authorization server (authorization code flow with PKCE, nonce required, RS256 ID tokens).

It signs in whoever the test names as `provider.next_person` without asking (as an
identity provider does for someone with a session there), and can be told to misbehave
the ways a broken or hostile provider would: sign with a key it does not publish, name
another audience or issuer, return another nonce, or send an expired token.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify
from joserfc.jwk import RSAKey
from werkzeug.serving import WSGIRequestHandler, make_server


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


@dataclass
class Someone:
    email: str
    name: str
    sub: str = field(default_factory=lambda: secrets.token_hex(8))
    # What the provider says of the address: false where its users may type their own.
    email_verified: bool = True
    # What a real directory also knows; Bridgework must never take it.
    groups: tuple[str, ...] = ("LGBTQ+ Network",)


@dataclass
class Client:
    client_id: str
    client_secret: str
    redirect_uris: list[str] = field(default_factory=list)

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope.split() if s in {"openid", "email", "profile"})

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in {"client_secret_basic", "client_secret_post"}

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    nonce: str | None
    person: Someone
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(time.time())

    def get_acr(self) -> str:
        return "0"

    def get_amr(self) -> list[str]:
        return []


class OIDCProvider:
    """Start with `start()`, stop with `stop()`; `issuer` is its address."""

    def __init__(self) -> None:
        self.clients: dict[str, Client] = {}
        self.codes: dict[str, Code] = {}
        self.next_person: Someone | None = None
        self.key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        self.unpublished_key = RSAKey.generate_key(2048, parameters={"kid": "published"})
        # Misbehaviour switches, all off: the tests turn one on at a time.
        self.sign_with_unpublished_key = False
        self.audience: str | None = None
        self.issuer_claim: str | None = None
        self.nonce_claim: str | None = None
        self.expired = False
        # Publish the authorization endpoint on another origin than the issuer (the same
        # server, reached as localhost rather than 127.0.0.1), as some providers do.
        self.authorize_elsewhere = False
        self.app = self._build_app()
        self._server = make_server(
            "127.0.0.1", 0, self.app, threaded=True, request_handler=QuietHandler
        )
        self.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> OIDCProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()

    @property
    def authorization_origin(self) -> str:
        if self.authorize_elsewhere:
            return f"http://localhost:{self._server.server_port}"
        return self.issuer

    def register_client(self, redirect_uri: str = "") -> Client:
        client = Client(
            client_id=f"bridgework-{secrets.token_hex(4)}",
            client_secret=secrets.token_urlsafe(24),
            redirect_uris=[redirect_uri] if redirect_uri else [],
        )
        self.clients[client.client_id] = client
        return client

    def _build_app(self) -> Flask:
        app = Flask(__name__)
        provider = self

        class CodeGrant(grants.AuthorizationCodeGrant):  # type: ignore[misc]  # authlib ships no types
            TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

            def save_authorization_code(self, code: str, req: Any) -> None:
                payload = req.payload
                provider.codes[code] = Code(
                    code=code,
                    client_id=req.client.client_id,
                    redirect_uri=payload.redirect_uri,
                    scope=payload.scope,
                    nonce=payload.data.get("nonce"),
                    person=req.user,
                    code_challenge=payload.data.get("code_challenge"),
                    code_challenge_method=payload.data.get("code_challenge_method"),
                )

            def query_authorization_code(self, code: str, client: Client) -> Code | None:
                found = provider.codes.get(code)
                return found if found and found.client_id == client.client_id else None

            def delete_authorization_code(self, authorization_code: Code) -> None:
                provider.codes.pop(authorization_code.code, None)

            def authenticate_user(self, authorization_code: Code) -> Someone:
                return authorization_code.person

        class IdToken(OpenIDCode):  # type: ignore[misc]  # authlib ships no types
            def exists_nonce(self, nonce: str, req: Any) -> bool:
                return any(code.nonce == nonce for code in provider.codes.values())

            def resolve_client_private_key(self, client: Client) -> RSAKey:
                if provider.sign_with_unpublished_key:
                    return provider.unpublished_key
                return provider.key

            def get_client_algorithm(self, client: Client) -> str:
                return "RS256"

            def get_encode_header(self, client: Client) -> dict[str, str]:
                return {"alg": "RS256", "kid": "published"}

            def get_client_claims(self, client: Client) -> dict[str, Any]:
                now = int(time.time())
                claims: dict[str, Any] = {
                    "iss": provider.issuer_claim or provider.issuer,
                    "aud": [provider.audience or client.client_id],
                }
                if provider.expired:
                    claims.update(iat=now - 7200, exp=now - 3600)
                return claims

            def get_authorization_code_claims(self, authorization_code: Code) -> dict[str, Any]:
                claims: dict[str, Any] = super().get_authorization_code_claims(authorization_code)
                if provider.nonce_claim is not None:
                    claims["nonce"] = provider.nonce_claim
                return claims

            def generate_user_info(self, user: Someone, scope: str) -> UserInfo:
                return UserInfo(
                    sub=user.sub,
                    name=user.name,
                    email=user.email,
                    email_verified=user.email_verified,
                    groups=list(user.groups),
                )

        server = AuthorizationServer(
            app,
            query_client=lambda client_id: provider.clients.get(client_id),
            save_token=lambda token, req: None,
        )
        server.register_grant(
            CodeGrant, [IdToken(require_nonce=True), CodeChallenge(required=True)]
        )

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Any:
            return jsonify(
                issuer=provider.issuer,
                authorization_endpoint=f"{provider.authorization_origin}/authorize",
                token_endpoint=f"{provider.issuer}/token",
                jwks_uri=f"{provider.issuer}/jwks",
                userinfo_endpoint=f"{provider.issuer}/userinfo",
                response_types_supported=["code"],
                subject_types_supported=["public"],
                id_token_signing_alg_values_supported=["RS256"],
                token_endpoint_auth_methods_supported=["client_secret_post", "client_secret_basic"],
                code_challenge_methods_supported=["S256"],
            )

        @app.get("/jwks")
        def jwks() -> Any:
            return jsonify(keys=[provider.key.as_dict(private=False, alg="RS256", use="sig")])

        @app.get("/authorize")
        def authorize() -> Any:
            return server.create_authorization_response(grant_user=provider.next_person)

        @app.post("/token")
        def token() -> Any:
            return server.create_token_response()

        return app
