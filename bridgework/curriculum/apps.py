from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    name = "bridgework.curriculum"
    label = "curriculum"
    verbose_name = "Curriculum and tips"
