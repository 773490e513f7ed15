from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from .models import DigestPreference


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=gettext_lazy("E-mail digest"),
        choices=DigestPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "A short e-mail with links to what is new. It never contains post text."
        ),
    )
