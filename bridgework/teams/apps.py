from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class TeamsConfig(AppConfig):
    name = "bridgework.teams"
    label = "teams"
    verbose_name = "Microsoft Teams"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections
        from bridgework.chat import platforms

        from .models import reseal_secrets
        from .personal_data import ERASURE
        from .platform import PLATFORM

        registry.add(erasure=ERASURE)
        registry.on_master_key_rotation(reseal_secrets)
        platforms.register(PLATFORM)
        settings_sections.register(
            label=pgettext_lazy("product name", "Microsoft Teams"),
            url_name="teams_settings",
            order=50,
        )
