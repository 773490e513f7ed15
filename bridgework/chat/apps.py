from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "bridgework.chat"
    label = "chat"
    verbose_name = "Reminders in chat (Slack, Teams)"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from . import delivery
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        # Practice and cohorts ask this route about each reminder they claim, before e-mail.
        registry.on_reminder_delivery(delivery.route)
