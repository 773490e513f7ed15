from django.apps import AppConfig


class CohortsConfig(AppConfig):
    name = "bridgework.cohorts"
    label = "cohorts"
    verbose_name = "Cohorts"
