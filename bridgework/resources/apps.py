from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "bridgework.resources"
    label = "resources"
    verbose_name = "Resources"

    def ready(self) -> None:
        from bridgework.notifications import kinds

        from .notices import REVIEWED

        kinds.register(REVIEWED)
