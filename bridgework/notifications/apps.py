from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bridgework.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from . import kinds

        kinds.register(kinds.OTHER)
