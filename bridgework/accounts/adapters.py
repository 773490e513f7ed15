from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class InvitationOnlyAdapter(DefaultAccountAdapter):  # type: ignore[misc]  # allauth is untyped
    """People join an organisation by invitation; there is no open sign-up."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False


def login_attempt_username(
    request: HttpRequest, credentials: dict[str, Any] | None = None
) -> str | None:
    """The account a sign-in attempt is for, so axes counts failures per account.

    allauth authenticates with ``email=``, the form posts ``login``. Lower-cased, so changing
    the case of an address does not earn five more tries.
    """
    source = credentials or {}
    value = source.get("email") or source.get("login") or getattr(request, "POST", {}).get("login")
    return str(value or "").strip().lower() or None
