from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "bridgework.curriculum"
    label = "curriculum"
    verbose_name = "Curriculum and tips"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
