from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context, ratelimit
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.adapter import get_adapter
from allauth.mfa.base import forms as base_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
from django.db import transaction
from django.utils.translation import gettext

from .models import MFAPolicy


class MFAPolicyForm(forms.ModelForm[MFAPolicy]):
    class Meta:
        model = MFAPolicy
        fields = ["program_admins", "facilitators"]


class CredentialField(forms.JSONField):
    """A WebAuthn credential as JSON. Django's JSONField lets the ValueError for an integer
    longer than Python converts (4,300 digits) escape as a server error; here it is bad
    input like any other unreadable credential."""

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except ValueError:
            raise forms.ValidationError(
                gettext("That security key answer could not be read. Try again."), code="invalid"
            ) from None


class AddKeyForm(webauthn_forms.AddWebAuthnForm):
    credential = CredentialField(required=True, widget=forms.HiddenInput)


class AuthenticateKeyForm(webauthn_forms.AuthenticateWebAuthnForm):
    credential = CredentialField(required=True, widget=forms.HiddenInput)


class LoginKeyForm(webauthn_forms.LoginWebAuthnForm):
    credential = CredentialField(required=True, widget=forms.HiddenInput)


class ReauthenticateKeyForm(webauthn_forms.ReauthenticateWebAuthnForm):
    credential = CredentialField(required=True, widget=forms.HiddenInput)


def _spend_app_code(authenticator: Authenticator) -> None:
    """An authenticator-app code signs in once. allauth remembers used codes in the cache,
    which is each server process's own unless a shared one is set up: the step a code was
    accepted in is kept with the authenticator, so no process takes a code of that step
    again."""
    if authenticator.type != Authenticator.Type.TOTP:
        return  # recovery codes are struck off in the database by allauth itself
    step = int(time.time()) // mfa_settings.TOTP_PERIOD
    with transaction.atomic():
        locked = Authenticator.objects.select_for_update().get(pk=authenticator.pk)
        if locked.data.get("last_step", -1) >= step:
            raise get_adapter().validation_error("incorrect_code")
        locked.data["last_step"] = step
        locked.save(update_fields=["data"])
    authenticator.data = locked.data


# allauth limits code guesses with its "login_failed" rate, which settings turn off so that
# axes answers a wrong password first; codes get a rate of their own (settings).
CODE_GUESSES = "mfa_code"


def _limit_code_guesses(person: Any) -> Callable[[], None]:
    """Five guesses at a second-factor code per person in five minutes: a code is one of a
    million, and someone who has the password could otherwise try them all in hours."""
    key = f"mfa-code-{person.pk}"
    if not ratelimit.consume(context.request, action=CODE_GUESSES, key=key):
        raise get_account_adapter().validation_error("too_many_login_attempts")
    return lambda: ratelimit.clear(context.request, action=CODE_GUESSES, key=key)


class AuthenticateForm(base_forms.AuthenticateForm):
    def clean_code(self) -> str:
        cleared = _limit_code_guesses(self.user)
        code: str = super().clean_code()
        _spend_app_code(self.authenticator)
        cleared()
        return code


class ReauthenticateForm(base_forms.ReauthenticateForm):
    def clean_code(self) -> str:
        cleared = _limit_code_guesses(self.user)
        code: str = super().clean_code()
        _spend_app_code(self.authenticator)
        cleared()
        return code
