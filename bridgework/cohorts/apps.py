from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "bridgework.cohorts"
    label = "cohorts"
    verbose_name = "Cohorts"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from . import services
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        registry.on_deactivation(services.person_deactivated)
