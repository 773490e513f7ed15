from django.apps import AppConfig


class FrontConfig(AppConfig):
    name = "bridgework.front"
    label = "front"
    verbose_name = "Pages"
