from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "bridgework.accounts"
    label = "accounts"
    verbose_name = "Organisations and people"
