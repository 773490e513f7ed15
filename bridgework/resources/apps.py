from django.apps import AppConfig


class ResourcesConfig(AppConfig):
    name = "bridgework.resources"
    label = "resources"
    verbose_name = "Resources"
