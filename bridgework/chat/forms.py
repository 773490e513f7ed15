from __future__ import annotations

from typing import Any

from django import forms

from .models import Destination


class DestinationForm(forms.Form):
    destination = forms.ChoiceField(
        label="Send my reminders by",
        choices=Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose where your reminders go."},
    )

    def __init__(self, *args: Any, available: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["destination"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in Destination.choices if v in available]


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label="Code from the chat app",
        help_text="Eight letters and numbers, like ABCD-2345. It works for 15 minutes.",
        max_length=20,
        error_messages={"required": "Enter the code the chat app showed you."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
