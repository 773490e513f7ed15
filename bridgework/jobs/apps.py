from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "bridgework.jobs"
    label = "jobs"
    verbose_name = "Background work"
