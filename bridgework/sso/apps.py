from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "bridgework.sso"
    label = "sso"
    verbose_name = "Sign-in with an identity provider"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)

        settings_sections.register(label="Sign-in", url_name="sso_settings", order=10)
