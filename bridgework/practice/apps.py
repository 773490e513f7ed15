from django.apps import AppConfig


class PracticeConfig(AppConfig):
    name = "bridgework.practice"
    label = "practice"
    verbose_name = "Practice: assessments, plans, commitments"
