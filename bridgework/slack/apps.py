from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class SlackConfig(AppConfig):
    name = "bridgework.slack"
    label = "slack"
    verbose_name = "Slack"

    def ready(self) -> None:
        from bridgework.accounts import registry, settings_sections
        from bridgework.chat import platforms

        from .models import reseal_slack_secrets
        from .personal_data import ERASURE
        from .platform import SlackPlatform

        platforms.register(SlackPlatform())
        registry.add(erasure=ERASURE)
        registry.on_master_key_rotation(reseal_slack_secrets)
        settings_sections.register(
            label=pgettext_lazy("product name", "Slack"), url_name="slack_settings", order=40
        )
