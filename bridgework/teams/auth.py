"""Checking that an incoming activity really comes from the Bot Framework for our bot.

Every POST to the messaging endpoint carries `Authorization: Bearer <JWT>`. The token must
be signed (RS256) by one of the keys the Bot Framework publishes (found through its OpenID
metadata, `TEAMS_OPENID_METADATA_URL`), name the Bot Framework as issuer and one of our
bots' app ids as audience, be within its lifetime, and vouch for the service URL the
activity asks us to answer at (its `serviceurl` claim equals the activity's `serviceUrl`).
That service URL must also be on a host in TEAMS_SERVICE_HOSTS, checked before anything
else is fetched: the bot's own token is sent there with every reply. Keys are cached for a
day and fetched again when a token names a key we have not seen (at most once a minute, so
a flood of made-up key ids cannot make us hammer the metadata endpoint).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from django.conf import settings

from .models import TeamsBot

logger = logging.getLogger(__name__)

ISSUER = "https://api.botframework.com"
KEYS_KEPT_SECONDS = 24 * 60 * 60
REFETCH_AT_MOST_EVERY_SECONDS = 60
# Microsoft allows five minutes of clock difference between its servers and the bot.
LEEWAY_SECONDS = 300
HTTP_TIMEOUT_SECONDS = 10


class NotFromTeams(Exception):
    """The request is not a genuine activity for one of our bots; the reason is for logs."""


@dataclass
class _KeyCache:
    keys: dict[str, dict[str, Any]]
    fetched_at: float
    tried_at: float


_cache = _KeyCache(keys={}, fetched_at=0.0, tried_at=0.0)
_lock = threading.Lock()


def forget_keys() -> None:
    """Start over with no keys (tests, and a change of metadata address)."""
    with _lock:
        _cache.keys, _cache.fetched_at, _cache.tried_at = {}, 0.0, 0.0


def _fetch_keys() -> dict[str, dict[str, Any]]:
    metadata = requests.get(settings.TEAMS_OPENID_METADATA_URL, timeout=HTTP_TIMEOUT_SECONDS)
    metadata.raise_for_status()
    jwks_uri = metadata.json()["jwks_uri"]
    answer = requests.get(jwks_uri, timeout=HTTP_TIMEOUT_SECONDS)
    answer.raise_for_status()
    return {key["kid"]: key for key in answer.json()["keys"] if "kid" in key}


def _signing_key(kid: str) -> dict[str, Any]:
    now = time.time()
    with _lock:
        stale = now - _cache.fetched_at > KEYS_KEPT_SECONDS
        unknown = kid not in _cache.keys
        may_try = now - _cache.tried_at > REFETCH_AT_MOST_EVERY_SECONDS
        if (stale or unknown) and (may_try or not _cache.keys):
            _cache.tried_at = now
            try:
                _cache.keys, _cache.fetched_at = _fetch_keys(), now
            except (requests.RequestException, ValueError, KeyError, TypeError) as error:
                logger.warning("teams: could not fetch the Bot Framework keys (%s)", type(error))
        key = _cache.keys.get(kid)
    if key is None:
        raise NotFromTeams("signed with a key the Bot Framework does not publish")
    return key


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


def _host_matches(host: str, pattern: str) -> bool:
    pattern = pattern.lower()
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def trusted_service_url(url: str) -> bool:
    """Whether the bot's token may go to this service URL: https on a host named in
    TEAMS_SERVICE_HOSTS, or plain http on a loopback host named there (a test's Bot
    Connector)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        _ = parts.port  # a port that is not a number is refused
    except ValueError:
        return False
    if not host or parts.username or parts.password:
        return False
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        return False
    return any(_host_matches(host, pattern) for pattern in settings.TEAMS_SERVICE_HOSTS)


def verify(authorization: str, *, service_url: str, channel_id: str) -> TeamsBot:
    """The connected bot the token was issued for, or NotFromTeams."""
    if channel_id != "msteams":
        # The bot's owner may add other Bot Framework channels (Web Chat, Direct Line) to
        # it, where the sender's ids are whatever the client says.
        raise NotFromTeams("not from the Teams channel")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotFromTeams("no bearer token")
    token = token.strip()
    if not trusted_service_url(service_url):
        raise NotFromTeams("the service URL is not on a Bot Framework host")
    try:
        header = jwt.get_unverified_header(token)
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise NotFromTeams("not a JWT") from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise NotFromTeams("not an RS256 token with a key id")
    audience = unverified.get("aud")
    bot = (
        TeamsBot.objects.connected()
        .select_related("organisation")
        .filter(app_id=audience if isinstance(audience, str) else "")
        .first()
    )
    if bot is None:
        raise NotFromTeams("for no connected bot")
    jwk = _signing_key(header["kid"])
    endorsements = jwk.get("endorsements")
    if isinstance(endorsements, list) and channel_id not in endorsements:
        raise NotFromTeams("the key is not endorsed for this channel")
    try:
        key = jwt.PyJWK.from_json(json.dumps(jwk), algorithm="RS256")
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=bot.app_id,
            issuer=ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.PyJWTError as error:
        raise NotFromTeams(f"token refused: {type(error).__name__}") from None
    if claims.get("serviceurl", claims.get("serviceUrl")) != service_url:
        raise NotFromTeams("the token does not vouch for this service URL")
    return bot
