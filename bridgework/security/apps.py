from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "bridgework.security"
    label = "security"
    verbose_name = "Sign-in security"

    def ready(self) -> None:
        from bridgework.accounts import settings_sections

        settings_sections.register(label="Security", url_name="security_settings", order=20)
