"""Every flag has its space now (0014 copied it from the post); it is required from here on.
Its own migration: on PostgreSQL, altering the table in the transaction that just wrote the
new column's values fails on the foreign key's pending checks."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0014_flag_space"),
    ]

    operations = [
        migrations.AlterField(
            model_name="flag",
            name="space",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.space",
            ),
        ),
    ]
