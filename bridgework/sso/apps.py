from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SsoConfig(AppConfig):
    name = "bridgework.sso"
    label = "sso"
    verbose_name = "Sign-in with an identity provider"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .backends import sign_in_instead
        from .models import reseal_client_secrets
        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)
        registry.on_master_key_rotation(reseal_client_secrets)
        registry.on_sign_in_elsewhere(sign_in_instead)

        settings_sections.register(
            label=pgettext_lazy("settings section", "Sign-in"), url_name="sso_settings", order=10
        )
