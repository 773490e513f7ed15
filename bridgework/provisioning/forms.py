from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from bridgework.accounts.models import Organisation

from .models import ProvisioningToken


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

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self) -> str:
        # Two tokens of one name could not be told apart when one has to be revoked. The
        # same message answers a reload of the page that showed a new token, which sends
        # its form again.
        name: str = self.cleaned_data["name"]
        tokens = ProvisioningToken.objects.filter(organisation=self.organisation).usable()
        taken = tokens.named(name)
        if taken is not None:
            raise forms.ValidationError(
                gettext(
                    "A token named “%(name)s” already exists. Revoke it first, or choose "
                    "another name."
                )
                % {"name": taken.name}
            )
        return name
