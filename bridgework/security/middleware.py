"""The organisation's MFA policy at work: someone who must use MFA and signed in with a
password but has no second factor yet sets one up before doing anything else, and does not
remove their last one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.authentication import (
    AUTHENTICATION_METHODS_SESSION_KEY,
    get_authentication_records,
)
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django_htmx.http import HttpResponseClientRedirect

from bridgework.accounts.models import Person

from .models import must_use_mfa

# Decided once per session, at the first request after a password sign-in.
SESSION_KEY = "security_mfa_enrolment"
REQUIRED = "required"
SETTLED = "settled"

# What someone may open while they still have to set up MFA: the explanation, allauth's
# pages to set up a factor (and to confirm their password for them), and signing out.
ENROLMENT_URL_NAMES = frozenset(
    {
        "mfa_required",
        "mfa_index",
        "mfa_activate_totp",
        "mfa_add_webauthn",
        "mfa_reauthenticate",
        "mfa_reauthenticate_webauthn",
        "mfa_view_recovery_codes",
        "mfa_generate_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "account_logout",
    }
)


def signed_in_with_password_alone(request: HttpRequest, person: Person) -> bool:
    """The session began with a password and no second factor. Sessions begun through the
    organisation's identity provider or a passkey are not asked: the identity provider
    answers for its own sign-in, and a passkey already is a second factor."""
    methods = {record.get("method") for record in get_authentication_records(request, person)}
    return "password" in methods and "mfa" not in methods


def enrolment_state(request: HttpRequest, person: Person) -> str | None:
    state: str | None = request.session.get(SESSION_KEY)
    if state is not None or not signed_in_with_password_alone(request, person):
        return state
    if must_use_mfa(person) and not is_mfa_enabled(person):
        state = REQUIRED
        count_sign_in_as_confirmation(request, person)
    else:
        state = SETTLED
    request.session[SESSION_KEY] = state
    return state


def count_sign_in_as_confirmation(request: HttpRequest, person: Person) -> None:
    """allauth asks people to confirm their password before they change their second factors,
    unless they confirmed it within ACCOUNT_REAUTHENTICATION_TIMEOUT. Someone sent to set up
    MFA has just typed it to sign in, so that typing counts (for the same few minutes) and
    they are not asked for it twice in a row."""
    records = get_authentication_records(request, person)
    for record in records:
        if record.get("method") == "password":
            record["reauthenticated"] = True
    request.session[AUTHENTICATION_METHODS_SESSION_KEY] = records


class MFAEnrolmentMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponseBase | None:
        person = request.user
        if not isinstance(person, Person):
            return None
        match = request.resolver_match
        if match is not None and match.url_name == "mfa_remove_webauthn":
            return keep_last_key(request, person, match.kwargs["pk"])
        if enrolment_state(request, person) != REQUIRED:
            return None
        if is_mfa_enabled(person):
            request.session[SESSION_KEY] = SETTLED
            return None
        if match is not None and match.url_name in ENROLMENT_URL_NAMES:
            return None
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("mfa_required"))
        return redirect("mfa_required")


def keep_last_key(request: HttpRequest, person: Person, key_id: int) -> HttpResponseBase | None:
    """allauth asks the MFA adapter before an authenticator app is turned off, but removes
    a security key without asking; this asks for it, so someone who must use MFA keeps one."""
    key = Authenticator.objects.filter(
        pk=key_id, user=person, type=Authenticator.Type.WEBAUTHN
    ).first()
    if request.method != "POST" or key is None or get_mfa_adapter().can_delete_authenticator(key):
        return None
    messages.error(
        request,
        gettext(
            "This is your last security key or passkey, and your organisation asks you to use "
            "MFA. Add another key or an authenticator app first."
        ),
    )
    return redirect("mfa_list_webauthn")
