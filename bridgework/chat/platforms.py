"""What a chat platform (Slack, Teams) offers the rest of Bridgework.

Each platform app registers one object from its `AppConfig.ready()`. Delivery, the Profile
section and the actions behind buttons speak only to this protocol, so neither practice nor
cohorts knows which chat services exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from bridgework.accounts.models import Organisation
    from bridgework.cohorts.api import Session
    from bridgework.practice.api import Commitment

    from .models import ChatLink


class ChatUnreachable(Exception):
    """The platform cannot take this message: not connected, token revoked, user gone.

    `reason` is a short code (`token_revoked`, `not_connected`, ...) shown to the person as
    "we could not reach you"; it never holds message text."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RateLimited(Exception):
    """The platform asked us to wait (HTTP 429 with Retry-After)."""

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(retry_after_seconds)
        self.retry_after_seconds = max(1, retry_after_seconds)


@dataclass(frozen=True)
class ExternalUser:
    team_id: str
    user_id: str


class ChatPlatform(Protocol):
    key: str
    label: str
    # How a person asks the app there for a linking code, shown on their Profile when the
    # platform cannot find them by e-mail: "in Slack: /bridgework link".
    ask_for_code: StrOrPromise

    def is_connected(self, organisation: Organisation | None) -> bool: ...

    def find_user(self, organisation: Organisation | None, email: str) -> ExternalUser | None:
        """The platform's account with this verified e-mail address, when it can tell."""
        ...

    def send_commitment_reminder(
        self, link: ChatLink, commitment: Commitment, period: date
    ) -> str | None: ...

    def update_commitment_reminder(self, link: ChatLink, message_ref: str, text: str) -> None: ...

    def send_session_reminder(self, link: ChatLink, session: Session) -> str | None: ...

    def send_link_confirmation(self, link: ChatLink, code: str) -> None: ...


_platforms: dict[str, ChatPlatform] = {}


def register(platform: ChatPlatform) -> None:
    _platforms[platform.key] = platform


def get(key: str) -> ChatPlatform | None:
    return _platforms.get(key)


def all_platforms() -> list[ChatPlatform]:
    return sorted(_platforms.values(), key=lambda platform: platform.label)


def connected(organisation: Organisation | None) -> list[ChatPlatform]:
    return [platform for platform in all_platforms() if platform.is_connected(organisation)]
