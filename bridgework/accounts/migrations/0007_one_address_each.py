from django.db import migrations
from django.db.models import F


def drop_second_addresses(apps, schema_editor):
    """Addresses added at allauth's e-mail page besides the person's own signed in too,
    past "only through the identity provider": only the person's own address stays."""
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.exclude(email__iexact=F("user__email")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_person_time_zone"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(drop_second_addresses, migrations.RunPython.noop)]
