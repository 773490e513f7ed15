from django.db import migrations
from django.db.models import F
from django.db.models.functions import Lower


def drop_second_addresses(apps, schema_editor):
    """Addresses added at allauth's e-mail page besides the person's own signed in too,
    past "only through the identity provider": only the person's own address stays."""
    EmailAddress = apps.get_model("account", "EmailAddress")
    # Lower() on both sides: `iexact` against a column is LIKE on SQLite, where an "_" in
    # the person's own address would match any character.
    EmailAddress.objects.annotate(address=Lower("email"), own=Lower("user__email")).exclude(
        address=F("own")
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_person_time_zone"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(drop_second_addresses, migrations.RunPython.noop)]
