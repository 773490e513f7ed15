from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "bridgework.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
