from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SecurityConfig(AppConfig):
    name = "bridgework.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .models import reseal_mfa_secrets
        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)
        registry.on_master_key_rotation(reseal_mfa_secrets)

        settings_sections.register(
            label=pgettext_lazy("settings section", "Security"),
            url_name="security_settings",
            order=20,
        )
