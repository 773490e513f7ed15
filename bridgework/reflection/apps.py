from django.apps import AppConfig


class ReflectionConfig(AppConfig):
    name = "bridgework.reflection"
    label = "reflection"
    verbose_name = "Reflection: journal, social location, role models, repair, notes"
