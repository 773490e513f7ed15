"""The optional e-mail digest: what is new, said only by its kind and how many ("A reply in
a thread you follow (3)"), and one link, to the notifications page. Never a summary, nor a
link to the thing itself: summaries name people, threads and spaces, and addresses hold the
ids of groups and spaces; an e-mail is read by more than its recipient (mail administrators,
scanners, a shared screen), and either would tell them who is in a community group.

What goes in is decided at send time: a notification from a space the person has left
since it was made is dropped, and the person's preference is read again.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from bridgework.accounts.models import Person
from bridgework.jobs import outbox

from . import kinds
from .models import DigestPreference, Notification

logger = logging.getLogger(__name__)

INTERVALS = {
    DigestPreference.Frequency.DAILY: timedelta(days=1),
    DigestPreference.Frequency.WEEKLY: timedelta(days=7),
}
MAX_ITEMS = 20


def due_people() -> list[int]:
    now = timezone.now()
    due: list[int] = []
    for frequency, interval in INTERVALS.items():
        due.extend(
            DigestPreference.objects.filter(frequency=frequency, person__is_active=True)
            .exclude(last_sent_at__gt=now - interval)
            .values_list("person_id", flat=True)
        )
    return due


def send_digest(person_id: int) -> bool:
    """Sends one person's digest if it is due and has something in it. True when sent."""
    with transaction.atomic():
        preference = (
            # The organisation (for the default language) joins as an outer join, which
            # PostgreSQL cannot lock: only the preference and the person are locked.
            DigestPreference.objects.select_for_update(of=("self", "person"))
            .filter(person_id=person_id, person__is_active=True)
            .select_related("person__organisation")
            .first()
        )
        if preference is None or preference.frequency not in INTERVALS:
            return False
        interval = INTERVALS[DigestPreference.Frequency(preference.frequency)]
        now = timezone.now()
        if preference.last_sent_at and preference.last_sent_at > now - interval:
            return False
        person: Person = preference.person
        # Checked now, against the audiences as they are now.
        items = list(
            Notification.objects.for_person(person)
            .select_related("space")
            .filter(read_at__isnull=True, emailed_at__isnull=True)
            .order_by("-created_at")[:MAX_ITEMS]
        )
        preference.last_sent_at = now
        preference.save(update_fields=["last_sent_at"])
        if not items:
            return False
        Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
        # Written in the person's language.
        with translation.override(person.preferred_language):
            context = {
                "person": person,
                "items": list(Counter(_said(item) for item in items).items()),
                "notifications_url": settings.BASE_URL + reverse("community_notifications"),
                "settings_url": settings.BASE_URL + reverse("community_digest"),
            }
            subject = ngettext(
                "Bridgework: %(count)s new for you in the community",
                "Bridgework: %(count)s new for you in the community",
                len(items),
            ) % {"count": len(items)}
            body = render_to_string("community/email/digest.txt", context)
        # Queued with the claim above: a digest goes out once, even if two workers race or
        # the worker dies before the mail server has it.
        email = outbox.queue(
            key=f"digest:{person_id}:{now.isoformat()}", to=person.email, subject=subject, body=body
        )
    outbox.send(email)
    logger.info("community digest queued for person %s with %s items", person_id, len(items))
    return True


def _said(item: Notification) -> str:
    kind = kinds.get(item.kind)
    if kind == kinds.OTHER or kind.tells_of_a_group:
        return gettext("Something new for you")
    return str(kind.label)


def send_due() -> int:
    return sum(1 for person_id in due_people() if send_digest(person_id))
