from django.db import migrations, models
from django.db.models import F


def members_since_they_were_added(apps, schema_editor):
    """Existing members count as members from the day their row was written: the best
    record there is of when they joined."""
    Membership = apps.get_model("cohorts", "Membership")
    Membership.objects.filter(status="member").update(joined_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("cohorts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="membership",
            name="joined_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(members_since_they_were_added, migrations.RunPython.noop),
    ]
