import re

import django.db.models.deletion
from django.db import migrations, models

THREAD_ADDRESS = re.compile(r"^/community/threads/(\d+)/")


def link_threads(apps, schema_editor):
    """Notifications made before this knew their thread only by their address: read it from
    there, so that one about a thread hidden since stops showing the thread's title. One
    about a thread deleted since goes too, as it would have with the thread."""
    Notification = apps.get_model("notifications", "Notification")
    Thread = apps.get_model("community", "Thread")
    about_threads = Notification.objects.filter(url__startswith="/community/threads/")
    by_thread: dict[int, list[int]] = {}
    for pk, url in about_threads.values_list("pk", "url").iterator():
        if match := THREAD_ADDRESS.match(url):
            by_thread.setdefault(int(match.group(1)), []).append(pk)
    existing = set(Thread.objects.filter(pk__in=list(by_thread)).values_list("pk", flat=True))
    for thread_id, notification_ids in by_thread.items():
        if thread_id in existing:
            Notification.objects.filter(pk__in=notification_ids).update(thread_id=thread_id)
        else:
            Notification.objects.filter(pk__in=notification_ids).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0008_polls_close_at_a_set_time"),
        ("notifications", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="thread",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="community.thread",
            ),
        ),
        migrations.RunPython(link_threads, migrations.RunPython.noop),
    ]
