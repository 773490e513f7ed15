from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "bridgework.asks"
    label = "asks"
    verbose_name = "Brokered asks"

    def ready(self) -> None:
        from bridgework.notifications import kinds

        from .notices import APPROVAL

        kinds.register(APPROVAL)
