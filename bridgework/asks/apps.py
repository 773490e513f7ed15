from django.apps import AppConfig


class AsksConfig(AppConfig):
    name = "bridgework.asks"
    label = "asks"
    verbose_name = "Brokered asks"
