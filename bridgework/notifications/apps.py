from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bridgework.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from . import kinds
        from .personal_data import ERASURE

        registry.add(erasure=ERASURE)
        kinds.register(kinds.OTHER)
