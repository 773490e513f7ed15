from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "bridgework.insights"
    label = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        # A threshold below three would let a cell describe one or two people: refuse to start.
        from . import privacy_settings
        from .suppression_settings import min_cell

        min_cell()
        privacy_settings.check()

        from bridgework.accounts import registry

        from . import personal_data, services

        registry.on_assessment_taken(services.assessment_taken)
        registry.add(erasure=personal_data.ERASURE)
