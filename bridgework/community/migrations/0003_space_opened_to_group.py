from django.db import migrations, models
from django.db.models import F


def keep_existing_group_spaces_open(apps, schema_editor):
    # Spaces made before leads had to open them stay as their members know them.
    Space = apps.get_model("community", "Space")
    Space.objects.filter(audience="group").update(opened_to_group_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0002_notification_kind_ask_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="space",
            name="opened_to_group_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(keep_existing_group_spaces_open, migrations.RunPython.noop),
    ]
