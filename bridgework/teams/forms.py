from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.fields import WriteOnlySecretField

from .models import TeamsBot

GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _guid(value: str, what: str) -> str:
    value = value.strip().lower()
    if not GUID.match(value):
        raise forms.ValidationError(
            _(
                "Enter the %(what)s as Azure shows it: 32 hexadecimal digits in five groups, "
                "such as 6f1c2a9e-0b4d-4e4f-9a53-2f7d1c0e8b11."
            )
            % {"what": what}
        )
    return value


class TeamsBotForm(forms.ModelForm[TeamsBot]):
    """The Microsoft Teams settings. The client secret is write-only, like the identity
    provider's: the page says whether one is set and never shows it back."""

    # Lazy, so the label is in the admin's language (the field takes a str).
    client_secret = WriteOnlySecretField(label=cast(str, gettext_lazy("Client secret")))

    class Meta:
        model = TeamsBot
        fields = ["app_id", "tenant_id"]
        widgets = {
            "app_id": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
            "tenant_id": forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
        }
        labels = {"app_id": gettext_lazy("Bot app ID"), "tenant_id": gettext_lazy("Tenant ID")}
        help_texts = {
            "app_id": gettext_lazy(
                "The Microsoft App ID of the bot registration, such as "
                "00000000-0000-0000-0000-000000000000."
            ),
            "tenant_id": gettext_lazy(
                "Your Microsoft Entra tenant (directory) ID. Messages from other tenants "
                "are refused."
            ),
        }
        error_messages = {
            "app_id": {
                "unique": gettext_lazy("This bot is already connected to another organisation.")
            }
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        secret = self.fields["client_secret"]
        assert isinstance(secret, WriteOnlySecretField)
        secret.explain(
            is_set=self.instance.has_secret,
            otherwise=_("The value (not the ID) of a client secret of the bot's app registration."),
        )
        if self.instance.pk:
            # Said before saving: whoever owns the new app could act in their names.
            app_id = self.fields["app_id"]
            app_id.help_text = "{} {}".format(
                app_id.help_text,
                _(
                    "Another app ID or tenant unlinks everyone linked through this one: each "
                    "person links again, through the new app, if they choose."
                ),
            )

    def clean_app_id(self) -> str:
        return _guid(self.cleaned_data["app_id"], _("app ID"))

    def clean_tenant_id(self) -> str:
        return _guid(self.cleaned_data["tenant_id"], _("tenant ID"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("client_secret") and not self.instance.has_secret:
            self.add_error("client_secret", _("Enter the bot's client secret."))
        return cleaned

    def changed_settings(self) -> list[str]:
        """The labels of the settings this save changes (never their values)."""
        # The audit log keeps them in English, whatever language the admin reads the page in.
        with translation.override("en"):
            labels = [str(self.fields[name].label) for name in self.changed_data]
        return sorted(set(labels))
