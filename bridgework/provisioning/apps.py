from django.apps import AppConfig


class ProvisioningConfig(AppConfig):
    name = "bridgework.provisioning"
    label = "provisioning"
    verbose_name = "Provisioning (SCIM)"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)

        settings_sections.register(label="Provisioning", url_name="provisioning_tokens", order=30)
