from django.db import migrations
from django.db.models import F


def made_for_their_present_address(apps, schema_editor):
    # Accounts nobody has signed in to yet: as far as anyone can tell now, they were made for
    # their present address.
    Person = apps.get_model("accounts", "Person")
    Person.objects.filter(signed_in_email="").update(signed_in_email=F("email"))


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_address_at_last_sign_in"),
    ]

    operations = [
        migrations.RunPython(made_for_their_present_address, migrations.RunPython.noop),
    ]
