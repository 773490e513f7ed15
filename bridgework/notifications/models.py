"""In-app notifications and each person's e-mail digest preference.

Both tables were made by the community app and keep their names, so moving the models here
moved no data. A notification's `kind` is declared by the app that sends it (kinds.py).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Person

from .spaces import rules


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_person(self, person: Person) -> NotificationQuerySet:
        """The person's notifications, re-checked now: one from a space or a thread they can
        no longer see (a thread hidden since, whose title the summary names) is never listed
        (and never e-mailed)."""
        return (
            self.filter(person=person)
            .filter(Q(space__isnull=True) | Q(space__in=rules().visible_to(person)))
            .filter(Q(thread__isnull=True) | Q(thread__in=rules().visible_threads(person)))
        )

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)
    summary = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    space = models.ForeignKey("community.Space", on_delete=models.CASCADE, null=True, blank=True)
    thread = models.ForeignKey(
        "community.Thread", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        db_table = "community_notification"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["person", "-created_at"], name="community_n_person__b5c3c8_idx")
        ]

    def __str__(self) -> str:
        return f"Notification {self.pk}"


class DigestPreference(models.Model):
    class Frequency(models.TextChoices):
        NEVER = "never", gettext_lazy("No e-mail, I'll look in Bridgework")
        DAILY = "daily", gettext_lazy("Once a day")
        WEEKLY = "weekly", gettext_lazy("Once a week")

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(max_length=10, choices=Frequency.choices, default=Frequency.NEVER)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "community_digestpreference"

    def __str__(self) -> str:
        return f"Digest preference {self.pk}"
