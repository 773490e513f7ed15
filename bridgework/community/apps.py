from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "bridgework.community"
    label = "community"
    verbose_name = "Community"
