from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "bridgework.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections

        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)

        settings_sections.register(label="Security", url_name="security_settings", order=20)
