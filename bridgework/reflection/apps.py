from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "bridgework.reflection"
    label = "reflection"
    verbose_name = "Reflection: journal, social location, role models, repair, notes"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
