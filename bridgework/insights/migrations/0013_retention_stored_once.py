from django.db import migrations

# Retention counts months since joining, the same in every period: its cells are now
# stored once, under period "all" (RETENTION_PERIOD), instead of once per period.


def drop_copies(apps, schema_editor):
    Cell = apps.get_model("insights", "Cell")
    Cell.objects.filter(section="retention").exclude(period="all").delete()


class Migration(migrations.Migration):
    dependencies = [("insights", "0012_cells_updated_in_place")]

    # Going back, the next rebuild writes the copies again.
    operations = [migrations.RunPython(drop_copies, migrations.RunPython.noop, elidable=False)]
