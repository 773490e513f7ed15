from __future__ import annotations

from django import forms

from .models import MFAPolicy


class MFAPolicyForm(forms.ModelForm[MFAPolicy]):
    class Meta:
        model = MFAPolicy
        fields = ["program_admins", "facilitators"]
