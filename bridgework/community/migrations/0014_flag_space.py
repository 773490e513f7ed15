"""A flag names its post's space, so a space's waiting posts are found from its flags."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_the_posts_space(apps, schema_editor):
    Flag = apps.get_model("community", "Flag")
    Post = apps.get_model("community", "Post")
    Flag.objects.filter(space__isnull=True).update(
        space_id=Subquery(Post.objects.filter(pk=OuterRef("post_id")).values("space_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("community", "0013_erasure_keeps_named_poll_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="flag",
            name="space",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.space",
            ),
        ),
        migrations.RunPython(copy_the_posts_space, migrations.RunPython.noop),
    ]
