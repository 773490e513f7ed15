from __future__ import annotations

from django import forms


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label="Name of the token",
        max_length=80,
        help_text="Which identity provider will use it, for example “Okta” or “Entra ID”.",
        error_messages={"required": "Give the token a name, so you can tell it apart later."},
    )
