from __future__ import annotations

from typing import Any

from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms
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
