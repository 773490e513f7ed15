from __future__ import annotations

from django import forms

from .models import DigestPreference


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label="E-mail digest",
        choices=DigestPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text="A short e-mail with links to what is new. It never contains post text.",
    )
