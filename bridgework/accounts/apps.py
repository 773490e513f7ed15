from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class AccountsConfig(AppConfig):
    name = "bridgework.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import registry, settings_sections
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        settings_sections.register(
            label=pgettext_lazy("settings section", "General"),
            url_name="organisation_settings",
            order=0,
        )
