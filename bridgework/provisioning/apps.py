from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class ProvisioningConfig(AppConfig):
    name = "bridgework.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM)"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)

        settings_sections.register(
            label=pgettext_lazy("settings section", "Provisioning"),
            url_name="provisioning_tokens",
            order=30,
        )
