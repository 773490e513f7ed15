"""The insights task's queue is called "insights" (it was named after the rollups that the
releases replaced): tasks still waiting under the old name move to the new one."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def rename_queue(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    results.objects.filter(queue_name="rollups").update(queue_name="insights")


class Migration(migrations.Migration):
    dependencies = [
        ("insights", "0016_releases_replace_rollups"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(rename_queue, migrations.RunPython.noop)]
