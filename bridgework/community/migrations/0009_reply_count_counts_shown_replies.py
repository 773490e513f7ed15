from django.db import migrations


def count_shown_replies(apps, schema_editor):
    """Reply counts used to include replies hidden or held since, which told the space that
    someone's reply had been hidden: count the shown ones only, as the app now keeps them."""
    Thread = apps.get_model("community", "Thread")
    Post = apps.get_model("community", "Post")
    threads_with_unshown = (
        Post.objects.exclude(status="shown").values_list("thread_id", flat=True).distinct()
    )
    for thread_id in threads_with_unshown.iterator():
        in_thread = Post.objects.filter(thread_id=thread_id)
        opening = in_thread.order_by("created_at", "pk").values_list("pk", flat=True).first()
        shown = in_thread.filter(status="shown").exclude(pk=opening).count()
        Thread.objects.filter(pk=thread_id).update(reply_count=shown)


class Migration(migrations.Migration):
    dependencies = [("community", "0008_polls_close_at_a_set_time")]

    operations = [migrations.RunPython(count_shown_replies, migrations.RunPython.noop)]
