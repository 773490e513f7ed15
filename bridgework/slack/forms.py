from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PastedTokenForm(forms.Form):
    bot_token = forms.CharField(
        label=_("Bot token"),
        help_text=_("From your Slack app's “OAuth & Permissions” page; it starts with xoxb-."),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Paste the app's bot token.")},
    )
    signing_secret = forms.CharField(
        label=_("Signing secret"),
        help_text=_("From your Slack app's “Basic Information” page."),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Paste the app's signing secret.")},
    )

    def clean_bot_token(self) -> str:
        token = str(self.cleaned_data["bot_token"]).strip()
        if not token.startswith("xoxb-"):
            raise forms.ValidationError(_("A bot token starts with xoxb-."))
        return token

    def clean_signing_secret(self) -> str:
        return str(self.cleaned_data["signing_secret"]).strip()
