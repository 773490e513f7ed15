from typing import Any

from django.db import migrations, models
from django.db.models import F


def existing_notes_are_read(apps: Any, schema_editor: Any) -> None:
    # Notes that arrived before Home showed new ones were already on the Notes page: they
    # are not news, so Home does not greet everyone with their whole history.
    apps.get_model("reflection", "Note").objects.update(read_at=F("sent_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("reflection", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="read_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(existing_notes_are_read, migrations.RunPython.noop),
    ]
