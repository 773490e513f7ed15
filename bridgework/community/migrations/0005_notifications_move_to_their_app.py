# Notifications and digest preferences now belong to the notifications app, which took over
# their tables as they are (notifications 0001). Only Django's picture of the models goes.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0004_space_opened_to_group"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="Notification"),
                migrations.DeleteModel(name="DigestPreference"),
            ],
            database_operations=[],
        ),
    ]
