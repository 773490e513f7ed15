from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "bridgework.resources"
    label = "resources"
    verbose_name = "Resources"

    def ready(self) -> None:
        from bridgework.accounts import registry
        from bridgework.notifications import kinds

        from .notices import REVIEWED
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        kinds.register(REVIEWED)
