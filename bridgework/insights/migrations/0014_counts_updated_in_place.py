from django.db import migrations

# On PostgreSQL, an update that changes no indexed column can stay on its page, without new
# index entries (a HOT update), if the page has room (migrations 0006 and 0012). The first
# fold of a month moves thousands of LastActiveMonth counts, and every fold moves this
# month's totals and the retention counts: none of those updates found room (bench/FINDINGS.md,
# session 8). The first refresh of a month rewrites about three cells in four: half of each
# page is left free so that all of them stay on their pages.
FILLFACTORS = {
    "insights_lastactivemonth": 70,
    "insights_retentioncount": 70,
    "insights_monthtotal": 70,
    "insights_cell": 50,
}


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table, fillfactor in FILLFACTORS.items():
            schema_editor.execute(f"ALTER TABLE {table} SET (fillfactor = {fillfactor})")


def as_before(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in FILLFACTORS:
            if table == "insights_cell":
                schema_editor.execute("ALTER TABLE insights_cell SET (fillfactor = 70)")
            else:
                schema_editor.execute(f"ALTER TABLE {table} RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("insights", "0013_retention_stored_once")]

    operations = [migrations.RunPython(leave_room, as_before, elidable=False)]
