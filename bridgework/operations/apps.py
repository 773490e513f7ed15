from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "bridgework.operations"
    label = "operations"
    verbose_name = "Operations"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the system checks)
