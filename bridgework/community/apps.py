from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "bridgework.community"
    label = "community"
    verbose_name = "Community"

    def ready(self) -> None:
        from bridgework.accounts import registry
        from bridgework.notifications import api as notifications

        from . import notices
        from .api import space_rules
        from .personal_data import ERASURE, EXPORT

        registry.add(export=EXPORT, erasure=ERASURE)
        notifications.kinds.register(*notices.KINDS)
        notifications.register_space_rules(space_rules)
