from django.db import migrations, models

# A person's traces move from one row per counted thing (PersonTrace) to date columns on
# their one PersonMonths row, renamed PersonActivity: on the first day of a month a fold
# moved four to five trace rows per active person, now it rewrites one row.

PRACTICES = [
    "deep-curiosity",
    "honest-introspection",
    "humble-acknowledgement",
    "empathetic-engagement",
    "authentic-conversations",
    "vulnerable-interactions",
    "courageous-responsibilities",
]
FOLLOW = "kind = 'follow' AND practice = '' AND courage = 0"
# Column -> which PersonTrace rows it takes its date from (as stored since 0006: the day for
# "any", the first of the month for the others).
COLUMNS = {
    "any_on": "kind = 'any'",
    "lesson_on": "kind = 'lesson'",
    "attendance_on": "kind = 'attendance'",
    "follow_on": FOLLOW,
    **{
        f"follow_{practice.replace('-', '_')}_on": (
            f"kind = 'follow' AND practice = '{practice}' AND courage = 0"
        )
        for practice in PRACTICES
    },
    **{
        f"follow_courage_{level}_on": f"kind = 'follow' AND practice = '' AND courage = {level}"
        for level in range(1, 5)
    },
}


def copy_traces(apps, schema_editor):
    """Every trace row has its person's PersonMonths row beside it (a fold and a rebuild write
    both in one transaction), so an UPDATE finds them all."""
    activity = apps.get_model("insights", "PersonActivity")._meta.db_table
    traces = apps.get_model("insights", "PersonTrace")._meta.db_table
    picked = ", ".join(
        f"MAX(CASE WHEN {rows} THEN last_on END) AS {column}" for column, rows in COLUMNS.items()
    )
    assignments = ", ".join(f"{column} = t.{column}" for column in COLUMNS)
    schema_editor.execute(
        f"UPDATE {activity} SET {assignments} FROM (SELECT person_id, {picked} FROM {traces}"
        f" GROUP BY person_id) t WHERE {activity}.person_id = t.person_id"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("insights", "0006_trace_updates_in_place"),
    ]

    operations = [
        migrations.RenameModel(old_name="PersonMonths", new_name="PersonActivity"),
        migrations.AlterModelOptions(
            name="personactivity", options={"verbose_name_plural": "person activity"}
        ),
        migrations.RenameIndex(
            model_name="personactivity",
            new_name="insights_pe_organis_27487e_idx",
            old_name="insights_pe_organis_41c1d8_idx",
        ),
        *(
            migrations.AddField(
                model_name="personactivity", name=column, field=models.DateField(null=True)
            )
            for column in COLUMNS
        ),
        migrations.RunPython(copy_traces, migrations.RunPython.noop, elidable=True),
        migrations.DeleteModel(name="PersonTrace"),
    ]
