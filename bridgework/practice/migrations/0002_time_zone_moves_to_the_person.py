"""A person's time zone moves from their practice profile to the person, who is read on
every request: every page can then show times in it (see accounts 0006)."""

from django.db import migrations


def copy_to_the_person(apps, schema_editor):
    PracticeProfile = apps.get_model("practice", "PracticeProfile")
    Person = apps.get_model("accounts", "Person")
    zones = PracticeProfile.objects.values_list("time_zone", flat=True).distinct()
    for zone in zones:
        # One update per zone in use, not one per person.
        Person.objects.filter(practice__time_zone=zone).update(time_zone=zone)


def copy_back(apps, schema_editor):
    PracticeProfile = apps.get_model("practice", "PracticeProfile")
    Person = apps.get_model("accounts", "Person")
    zones = Person.objects.exclude(time_zone="").values_list("time_zone", flat=True).distinct()
    for zone in zones:
        PracticeProfile.objects.filter(person__time_zone=zone).update(time_zone=zone)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_person_time_zone"),
        ("practice", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_to_the_person, copy_back),
        migrations.RemoveField(model_name="practiceprofile", name="time_zone"),
    ]
