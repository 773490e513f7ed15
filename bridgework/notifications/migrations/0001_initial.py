# The community app made these two tables; this app takes them over as they are. Only
# Django's picture of the models moves: no table, row or index is touched.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("community", "0004_space_opened_to_group"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("kind", models.CharField(max_length=20)),
                        ("summary", models.CharField(max_length=300)),
                        ("url", models.CharField(max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        ("emailed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "person",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "space",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                to="community.space",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "community_notification",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["person", "-created_at"], name="community_n_person__b5c3c8_idx"
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="DigestPreference",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "frequency",
                            models.CharField(
                                choices=[
                                    ("never", "No e-mail, I'll look in Bridgework"),
                                    ("daily", "Once a day"),
                                    ("weekly", "Once a week"),
                                ],
                                default="never",
                                max_length=10,
                            ),
                        ),
                        ("last_sent_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "person",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "community_digestpreference"},
                ),
            ],
            database_operations=[],
        ),
    ]
