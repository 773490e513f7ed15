from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "bridgework.practice"
    label = "practice"
    verbose_name = "Practice: assessments, plans, commitments"

    def ready(self) -> None:
        from bridgework.accounts import registry

        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
