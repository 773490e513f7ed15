from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "bridgework.asks"
    label = "asks"
    verbose_name = "Brokered asks"

    def ready(self) -> None:
        from bridgework.accounts import registry
        from bridgework.notifications import kinds

        from .notices import APPROVAL
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        kinds.register(APPROVAL)
