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
        # A check-in made anywhere (the web, an e-mail link, the other platform) shows on
        # the reminder message it answers.
        registry.on_check_in_recorded(delivery.check_in_recorded)
