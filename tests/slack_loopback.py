"""A loopback server that answers as Slack's Web API does, for the methods Bridgework
calls: the same paths (/api/<method>), the same answer shapes (`ok`, `error` codes such as
invalid_auth and token_revoked, HTTP 429 with Retry-After), a response_url endpoint
(/hooks/...), and Slack's "Add to Slack" page (/oauth/v2/authorize), which approves at once
and sends the browser back with a code. It records every call, so tests assert on exactly
what was sent.

Run on its own, to try Slack without a workspace (see README, "Connect Slack"):

    .venv/bin/python -m tests.slack_loopback --port 8300

It prints the settings to start Bridgework with and every message Bridgework sends, link
codes included; every e-mail address is someone in its workspace.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

TEAM_ID = "T0ALLIES"
TEAM_NAME = "Allies at Acme"
BOT_USER = "UBRIDGEBOT"
GOOD_TOKEN = "xoxb-loopback-good"
OAUTH_TOKEN = "xoxb-loopback-oauth"
OAUTH_CODE = "oauth-code-1"


@dataclass
class Call:
    method: str
    token: str
    params: dict[str, Any]
    raw: str


@dataclass
class FakeSlack:
    url: str = ""
    calls: list[Call] = field(default_factory=list)
    tokens: set[str] = field(default_factory=lambda: {GOOD_TOKEN, OAUTH_TOKEN})
    revoked: set[str] = field(default_factory=set)
    users_by_email: dict[str, str] = field(default_factory=dict)
    # method -> Retry-After seconds for its next call
    rate_limit_next: dict[str, int] = field(default_factory=dict)
    next_ts: int = 1
    # Standalone, everyone with an e-mail address is in the workspace.
    everyone_is_a_member: bool = False

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    @property
    def hooks_url(self) -> str:
        return self.url + "/hooks/"

    def of(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    def everything_sent(self) -> str:
        return "\n".join(call.raw for call in self.calls)

    def answer(self, method: str, token: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if method in self.rate_limit_next:
            return 429, {"ok": False, "error": "ratelimited"}
        if method == "oauth.v2.access":
            if params.get("code") != OAUTH_CODE:
                return 200, {"ok": False, "error": "invalid_code"}
            return 200, {
                "ok": True,
                "access_token": OAUTH_TOKEN,
                "token_type": "bot",
                "scope": "chat:write,commands,im:write,users:read,users:read.email",
                "bot_user_id": BOT_USER,
                "app_id": "A0BRIDGE",
                "team": {"id": TEAM_ID, "name": TEAM_NAME},
                "enterprise": None,
                "is_enterprise_install": False,
                "authed_user": {"id": "UADMIN"},
            }
        if not token:
            return 200, {"ok": False, "error": "not_authed"}
        if token in self.revoked:
            return 200, {"ok": False, "error": "token_revoked"}
        if token not in self.tokens:
            return 200, {"ok": False, "error": "invalid_auth"}
        if method == "auth.test":
            return 200, {
                "ok": True,
                "url": "https://allies.slack.com/",
                "team": TEAM_NAME,
                "user": "bridgework",
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "bot_id": "B0BRIDGE",
                "app_id": "A0BRIDGE",
                "is_enterprise_install": False,
            }
        if method == "users.lookupByEmail":
            email = str(params.get("email", ""))
            user = self.users_by_email.get(email)
            if user is None and self.everyone_is_a_member and email:
                user = "U" + hashlib.sha256(email.lower().encode()).hexdigest()[:8].upper()
            if user is None:
                return 200, {"ok": False, "error": "users_not_found"}
            return 200, {"ok": True, "user": {"id": user, "team_id": TEAM_ID}}
        if method in ("chat.postMessage", "chat.update"):
            channel = str(params.get("channel", ""))
            if not channel.startswith(("U", "D", "C", "G")):
                return 200, {"ok": False, "error": "channel_not_found"}
            ts = str(params.get("ts") or f"1750000000.{self.next_ts:06d}")
            self.next_ts += 1
            dm = "D" + channel[1:] if channel.startswith("U") else channel
            return 200, {
                "ok": True,
                "channel": dm,
                "ts": ts,
                "message": {"text": params.get("text")},
            }
        if method in ("views.publish", "views.open"):
            return 200, {"ok": True, "view": {"id": "V0VIEW", **(params.get("view") or {})}}
        return 200, {"ok": False, "error": "unknown_method"}


def _handler(slack: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            """Slack's authorize page, as if the admin had chosen the workspace and approved."""
            address = urlsplit(self.path)
            query = dict(parse_qsl(address.query))
            if address.path != "/oauth/v2/authorize" or not query.get("redirect_uri"):
                self._send(404, b"not found", "text/plain")
                return
            slack.calls.append(Call("oauth.authorize", "", query, address.query))
            back = urlencode({"code": OAUTH_CODE, "state": query.get("state", "")})
            self.send_response(302)
            self.send_header("Location", f"{query['redirect_uri']}?{back}")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
            if self.headers.get("Content-Type", "").startswith("application/json"):
                params = json.loads(raw or "{}")
            else:
                params = dict(parse_qsl(raw))
                for key in ("blocks", "view"):
                    if isinstance(params.get(key), str):
                        params[key] = json.loads(params[key])
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ").strip() or str(params.get("token", ""))
            if self.path.startswith("/hooks/"):
                slack.calls.append(Call("response_url", "", params, raw))
                self._send(200, b"ok", "text/plain")
                return
            method = self.path.removeprefix("/api/")
            slack.calls.append(Call(method, token, params, raw))
            status, body = slack.answer(method, token, params)
            headers = {}
            if status == 429:
                headers["Retry-After"] = str(slack.rate_limit_next.pop(method))
            self._send(status, json.dumps(body).encode(), "application/json", headers)

        def _send(
            self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None
        ) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def running(port: int = 0, slack: FakeSlack | None = None) -> Iterator[FakeSlack]:
    slack = slack or FakeSlack()
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(slack))
    slack.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield slack
    finally:
        server.shutdown()
        server.server_close()


class PrintingSlack(FakeSlack):
    """The standalone server: says what each call was, so a person can follow along."""

    def answer(self, method: str, token: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        status, body = super().answer(method, token, params)
        said = f" to {params.get('channel')}: {params.get('text')!r}" if "text" in params else ""
        print(f"{method}{said} -> {body.get('error') or 'ok'}", flush=True)
        return status, body


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Slack's Web API on loopback, for trying Slack.")
    parser.add_argument("--port", type=int, default=8300)
    port = parser.parse_args(argv).port
    with running(port, PrintingSlack(everyone_is_a_member=True)) as slack:
        print(
            f"""Slack on loopback at {slack.url}. Start Bridgework with:

  BRIDGEWORK_SLACK_API_URL={slack.api_url}
  BRIDGEWORK_SLACK_RESPONSE_URL_PREFIX={slack.hooks_url}

then, under Settings -> Slack, paste the bot token {GOOD_TOKEN} and any signing secret.
For "Add to Slack" instead, add:

  BRIDGEWORK_SLACK_AUTHORIZE_URL={slack.url}/oauth/v2/authorize
  BRIDGEWORK_SLACK_CLIENT_ID=loopback.client BRIDGEWORK_SLACK_CLIENT_SECRET=loopback-secret
  BRIDGEWORK_SLACK_SIGNING_SECRET=loopback-signing-secret

Every call Bridgework makes is printed below (Ctrl-C stops).""",
            flush=True,
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            sys.exit(0)


if __name__ == "__main__":
    main()
