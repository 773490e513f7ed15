from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils.translation import pgettext_lazy


def remember_sign_in_address(sender: Any, user: Any, **kwargs: Any) -> None:
    if getattr(user, "signed_in_email", None) not in (None, user.email):
        type(user).objects.filter(pk=user.pk).update(signed_in_email=user.email)
        user.signed_in_email = user.email


class AccountsConfig(AppConfig):
    name = "bridgework.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import registry, settings_sections
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        # Beside Django's own receiver that sets last_login: the address signed in with.
        user_logged_in.connect(remember_sign_in_address, dispatch_uid="signed_in_email")
        settings_sections.register(
            label=pgettext_lazy("settings section", "General"),
            url_name="organisation_settings",
            order=0,
        )
