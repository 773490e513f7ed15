from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgework.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from . import settings_sections

        settings_sections.register(label="General", url_name="organisation_settings", order=0)
