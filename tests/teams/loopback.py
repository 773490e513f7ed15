"""Microsoft's side of a Teams bot, on loopback, for the Teams tests.

One HTTP server answers as three services do, on the same paths and with the same shapes:

- the Bot Framework's OpenID metadata (`/v1/.well-known/openidconfiguration`) and the key
  set it points to (`/v1/.well-known/keys`), publishing a test RSA key endorsed for Teams;
- the Microsoft identity platform's token endpoint (`/{tenant}/oauth2/v2.0/token`,
  client credentials);
- the Bot Connector (`/v3/conversations/{id}/activities[/{activityId}]`), which is also
  the service URL the test activities name.

It records every call it gets (method, path, headers and body) so tests can assert on what
was sent, and can be told to answer the next connector calls with an error (a 429 with
Retry-After, a 403, a 404) or to refuse the bot's credentials.

Run on its own, to try Teams without a tenant (see README, "Connect Teams"):

    .venv/bin/python -m tests.teams.loopback --port 8301

It prints the settings to start Bridgework with and every call Bridgework makes.
"""

from __future__ import annotations

import argparse
import itertools
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: str

    def json(self) -> Any:
        return json.loads(self.body)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class MicrosoftOnLoopback:
    signing_key: rsa.RSAPrivateKey = field(default_factory=new_key)
    kid: str = "loopback-key-1"
    calls: list[Call] = field(default_factory=list)
    # (status, headers, body) answered to the next connector calls, in order.
    connector_answers: list[tuple[int, dict[str, str], dict[str, Any]]] = field(
        default_factory=list
    )
    refuse_credentials: bool = False
    # Teams user id -> the e-mail address Teams knows for them (its members API).
    emails: dict[str, str] = field(default_factory=dict)
    endorsements: tuple[str, ...] = ("msteams",)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def metadata_url(self) -> str:
        return f"{self.base_url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return self.base_url + "/{tenant}/oauth2/v2.0/token"

    @property
    def service_url(self) -> str:
        return f"{self.base_url}/teams-service/"

    def connector_calls(self) -> list[Call]:
        return [call for call in self.calls if "/v3/conversations/" in call.path]

    def reset(self) -> None:
        self.calls.clear()
        self.connector_answers.clear()
        self.refuse_credentials = False
        self.emails.clear()
        self.endorsements = ("msteams",)

    def jwk(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self.signing_key.public_key(), as_dict=True)
        return {**public, "kid": self.kid, "use": "sig", "endorsements": list(self.endorsements)}

    def token_for(
        self,
        *,
        audience: str,
        service_url: str | None = None,
        issuer: str = BOT_FRAMEWORK_ISSUER,
        key: rsa.RSAPrivateKey | None = None,
        kid: str | None = None,
        lifetime: int = 3600,
        issued_ago: int = 0,
    ) -> str:
        """A token as the Bot Framework signs for an activity to our bot."""
        now = int(time.time()) - issued_ago
        claims = {
            "iss": issuer,
            "aud": audience,
            "serviceurl": service_url if service_url is not None else self.service_url,
            "nbf": now - 5,
            "iat": now,
            "exp": now + lifetime,
        }
        return jwt.encode(
            claims, key or self.signing_key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def start(self, port: int = 0, *, verbose: bool = False) -> MicrosoftOnLoopback:
        loopback = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(
                self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> Call:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                call = Call(self.command, self.path, dict(self.headers.items()), body)
                loopback.calls.append(call)
                if verbose:
                    print(f"{call.method} {call.path} {call.body[:300]}", flush=True)
                return call

            def do_GET(self) -> None:
                self._record()
                if self.path == "/v1/.well-known/openidconfiguration":
                    self._answer(
                        200,
                        {
                            "issuer": BOT_FRAMEWORK_ISSUER,
                            "authorization_endpoint": "https://invalid.example/",
                            "jwks_uri": f"{loopback.base_url}/v1/.well-known/keys",
                            "id_token_signing_alg_values_supported": ["RS256"],
                            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
                        },
                    )
                elif self.path == "/v1/.well-known/keys":
                    self._answer(200, {"keys": [loopback.jwk()]})
                elif "/v3/conversations/" in self.path and "/members/" in self.path:
                    self._member(unquote(self.path.rsplit("/", 1)[1]))
                else:
                    self._answer(404, {"error": {"code": "NotFound", "message": "No route"}})

            def do_POST(self) -> None:
                call = self._record()
                if self.path.endswith("/oauth2/v2.0/token"):
                    self._token(call)
                elif "/v3/conversations/" in self.path and self.path.endswith("/activities"):
                    self._connector({"id": f"1:activity-{next(loopback._ids)}"})
                else:
                    self._answer(404, {"error": {"code": "NotFound", "message": "No route"}})

            def do_PUT(self) -> None:
                self._record()
                if "/v3/conversations/" in self.path and "/activities/" in self.path:
                    self._connector({"id": self.path.rsplit("/", 1)[1]})
                else:
                    self._answer(404, {"error": {"code": "NotFound", "message": "No route"}})

            def _token(self, call: Call) -> None:
                form = {k: v[0] for k, v in parse_qs(call.body).items()}
                if loopback.refuse_credentials or form.get("grant_type") != "client_credentials":
                    self._answer(
                        401,
                        {
                            "error": "invalid_client",
                            "error_description": "Invalid client secret provided.",
                        },
                    )
                    return
                self._answer(
                    200,
                    {
                        "token_type": "Bearer",
                        "expires_in": 3599,
                        "ext_expires_in": 3599,
                        "access_token": f"loopback-token-for-{form.get('client_id', '')}",
                    },
                )

            def _member(self, user_id: str) -> None:
                if not self.headers.get("Authorization", "").startswith("Bearer loopback-token"):
                    self._answer(401, {"error": {"code": "Unauthorized", "message": "No."}})
                elif user_id not in loopback.emails:
                    self._answer(404, {"error": {"code": "NotFound", "message": "No member"}})
                else:
                    email = loopback.emails[user_id]
                    self._answer(
                        200,
                        {
                            "id": user_id,
                            "name": "A Teams user",
                            "email": email,
                            "userPrincipalName": email,
                            "tenantId": "",
                            "userRole": "user",
                        },
                    )

            def _connector(self, ok: dict[str, Any]) -> None:
                if not self.headers.get("Authorization", "").startswith("Bearer loopback-token"):
                    self._answer(401, {"error": {"code": "Unauthorized", "message": "No."}})
                elif loopback.connector_answers:
                    status, headers, body = loopback.connector_answers.pop(0)
                    self._answer(status, body, headers)
                else:
                    self._answer(200 if self.command == "PUT" else 201, ok)

        self._server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Microsoft's Teams services on loopback.")
    parser.add_argument("--port", type=int, default=8301)
    microsoft = MicrosoftOnLoopback().start(parser.parse_args(argv).port, verbose=True)
    print(
        f"""Microsoft on loopback at {microsoft.base_url}. Start Bridgework with:

  BRIDGEWORK_TEAMS_OPENID_METADATA_URL={microsoft.metadata_url}
  BRIDGEWORK_TEAMS_TOKEN_URL={microsoft.token_url}
  BRIDGEWORK_TEAMS_SERVICE_HOSTS=127.0.0.1

then, under Settings -> Microsoft Teams, save any bot app ID and tenant ID (GUIDs) and any
client secret: the token endpoint accepts them all. Every call is printed below.""",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        microsoft.stop()


if __name__ == "__main__":
    main()
