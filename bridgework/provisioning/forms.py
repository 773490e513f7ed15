from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy


class NewTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the token"),
        max_length=80,
        help_text=gettext_lazy(
            "Which identity provider will use it, for example “Okta” or “Entra ID”."
        ),
        error_messages={
            "required": gettext_lazy("Give the token a name, so you can tell it apart later.")
        },
    )
