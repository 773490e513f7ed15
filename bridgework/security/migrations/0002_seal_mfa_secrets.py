"""Seal the second-factor secrets allauth stored in plain before our MFA adapter sealed
them (see bridgework/security/sealing.py); reversing opens them again."""

from typing import Any

from django.db import migrations

from bridgework.security import sealing


def seal_plain_secrets(apps: Any, schema_editor: Any) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(sealing.SECRET_KEYS)):
        if sealing.reseal_data(authenticator.type, authenticator.data):
            authenticator.save(update_fields=["data"])


def open_sealed_secrets(apps: Any, schema_editor: Any) -> None:
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type__in=list(sealing.SECRET_KEYS)):
        data = authenticator.data
        for key in sealing.SECRET_KEYS[authenticator.type]:
            if isinstance(data.get(key), str):
                data[key] = sealing.open_secret(data[key])
        for key in sealing.SECRET_LISTS.get(authenticator.type, ()):
            if isinstance(data.get(key), list):
                data[key] = [sealing.open_secret(value) for value in data[key]]
        authenticator.save(update_fields=["data"])


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0001_initial"),
        ("mfa", "0003_authenticator_type_uniq"),
    ]

    operations = [migrations.RunPython(seal_plain_secrets, open_sealed_secrets)]
