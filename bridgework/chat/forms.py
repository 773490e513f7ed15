from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Destination

CHANNEL_ID = re.compile(r"[CG][A-Z0-9]{6,20}")


class DestinationForm(forms.Form):
    destination = forms.ChoiceField(
        label=_("Send my reminders by"),
        choices=Destination.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose where your reminders go.")},
    )

    def __init__(self, *args: Any, available: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["destination"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(v, label) for v, label in Destination.choices if v in available]


class ConfirmCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the chat app"),
        help_text=_("Eight letters and numbers, like ABCD-2345. It works for 15 minutes."),
        max_length=20,
        error_messages={"required": _("Enter the code the chat app showed you.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )


class SpaceChannelForm(forms.Form):
    channel_id = forms.CharField(
        label=_("Slack channel ID"),
        required=False,
        max_length=22,
        help_text=_(
            "Like C0123ABCDEF: in Slack, open the channel's details; the ID is at the "
            "bottom. Invite the Bridgework app to the channel. Leave empty to stop posting."
        ),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )

    def clean_channel_id(self) -> str:
        channel_id = str(self.cleaned_data["channel_id"]).strip().upper()
        if channel_id and not CHANNEL_ID.fullmatch(channel_id):
            raise forms.ValidationError(
                _("A Slack channel ID starts with C or G, like C0123ABCDEF.")
            )
        return channel_id
