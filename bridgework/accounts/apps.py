from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgework.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
