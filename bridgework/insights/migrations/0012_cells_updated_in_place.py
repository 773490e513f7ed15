from django.db import migrations

# A refresh rewrites most cells on the first of a month (40,000 at 100,000 people). On
# PostgreSQL, room left on each page lets such an update stay on its page without new index
# entries (a HOT update), as migration 0006 did for the per-person rows.
FILLFACTOR = 70


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE insights_cell SET (fillfactor = {FILLFACTOR})")


def fill_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE insights_cell RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("insights", "0011_earlier_totals")]

    operations = [migrations.RunPython(leave_room, fill_up, elidable=False)]
