from django.conf import settings
from django.db import migrations, models
from django.db.models.functions import TruncMonth

# Tables whose rows a fold rewrites by the tens of thousands. On PostgreSQL, leaving room on
# each page lets an update that changes no indexed column stay on its page without new index
# entries (a HOT update): about a quarter of the cost of an ordinary one here.
ROOMY_TABLES = ["insights_persontrace", "insights_personmonths"]
FILLFACTOR = 70


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ROOMY_TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")


def fill_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in ROOMY_TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


def keep_months(apps, schema_editor):
    """Traces other than "any" now keep only the first day of their month."""
    traces = apps.get_model("insights", "PersonTrace")
    traces.objects.exclude(kind="any").update(
        last_on=TruncMonth("last_on", output_field=models.DateField())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("insights", "0005_leaner_person_traces"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="persontrace",
            name="insights_pe_organis_d46c53_idx",
        ),
        migrations.AddIndex(
            model_name="persontrace",
            index=models.Index(
                fields=["organisation", "kind"], name="insights_pe_organis_9fbcaf_idx"
            ),
        ),
        migrations.RunPython(leave_room, fill_up, elidable=False),
        migrations.RunPython(keep_months, migrations.RunPython.noop),
    ]
