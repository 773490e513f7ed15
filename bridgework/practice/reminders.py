"""Reminders: planned every minute by the worker, each sent exactly once per period.

`plan` finds commitments whose reminder is due and queues one `deliver` task each, unless
one is already waiting. A `deliver` task claims its (commitment, period) row — the unique
constraint means a second worker can never claim it again — checks again that the
commitment is still active, not paused, not checked in, and its person still active (time
passes between planning and sending), and queues the e-mail in the outbox in the same
transaction. The outbox sends it, and sends it again if a worker dies before the mail
server has it (bridgework/jobs/outbox.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgework.accounts import registry
from bridgework.accounts.models import Person
from bridgework.jobs import outbox, queue
from bridgework.jobs.models import OutgoingEmail
from bridgework.lib.cadence import zone_or_utc

from .models import CheckIn, Commitment, Reminder

CHECK_IN_SALT = "bridgework.practice.check-in"
CHECK_IN_LINK_DAYS = 8


def _local_now(person: Person, now: datetime) -> datetime:
    return now.astimezone(zone_or_utc(person.usual_time_zone))


# However the periods fall, a reminder never follows the commitment this closely.
QUIET_AFTER_COMMITTING = timedelta(hours=1)


def due_period(commitment: Commitment, now: datetime) -> date | None:
    """The period whose reminder is due now, or None.

    The first reminder is for the first full period: the day, chosen day or week that
    starts after the commitment was made. A weekly commitment made on a Wednesday is first
    reminded on the next Monday, about that new week; a daily one made this morning is
    first reminded tomorrow, never a minute after committing."""
    profile = getattr(commitment.person, "practice", None)
    if profile is not None and not profile.reminders_on:
        return None
    if now - commitment.created_at < QUIET_AFTER_COMMITTING:
        return None
    local = _local_now(commitment.person, now)
    hour = profile.reminder_hour if profile else 9
    if local.hour < hour:
        return None
    period = commitment.period_on(local.date())
    if period is None or period <= commitment.started_on:
        return None
    return period


def plan(now: datetime | None = None) -> int:
    """Enqueue a delivery for every commitment whose reminder is due and not yet claimed."""
    from .tasks import deliver_reminder

    now = now or timezone.now()
    recent = now - timedelta(hours=20)
    commitments = (
        Commitment.objects.filter(status=Commitment.Status.ACTIVE, person__is_active=True)
        .exclude(cadence="once")
        .exclude(reminders__claimed_at__gte=recent)
        .select_related("person", "person__organisation", "person__practice")
    )
    waiting = queue.waiting_arguments(deliver_reminder)
    queued = 0
    for commitment in commitments.iterator(chunk_size=500):
        period = due_period(commitment, now)
        if period is None:
            continue
        if Reminder.objects.filter(commitment=commitment, period_start=period).exists():
            continue
        if CheckIn.objects.filter(commitment=commitment, period_start=period).exists():
            continue
        if (commitment.pk, period.isoformat()) in waiting:
            continue
        deliver_reminder.enqueue(commitment.pk, period.isoformat())
        queued += 1
    return queued


def check_in_token(commitment: Commitment, period: date) -> str:
    return signing.dumps({"c": commitment.pk, "p": period.isoformat()}, salt=CHECK_IN_SALT)


def read_check_in_token(token: str) -> tuple[int, date] | None:
    try:
        data = signing.loads(token, salt=CHECK_IN_SALT, max_age=timedelta(days=CHECK_IN_LINK_DAYS))
        return int(data["c"]), date.fromisoformat(data["p"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None


def still_due(commitment_id: int, period: date, now: datetime | None = None) -> Commitment | None:
    """The commitment if its reminder for `period` is still wanted: active, its person
    active, not checked in, and the period still the one due (time passes between the
    claim and the send)."""
    commitment = (
        Commitment.objects.select_related(
            "person", "person__organisation", "person__practice", "tip"
        )
        .filter(pk=commitment_id)
        .first()
    )
    if (
        commitment is None
        or commitment.status != Commitment.Status.ACTIVE
        or not commitment.person.is_active
        or CheckIn.objects.filter(commitment=commitment, period_start=period).exists()
        or due_period(commitment, now or timezone.now()) != period
    ):
        return None
    return commitment


def queue_email(*, commitment: Commitment, period: date, key: str) -> OutgoingEmail | None:
    """The reminder e-mail, queued in the caller's transaction."""
    link = settings.BASE_URL + reverse("quick_check_in", args=[check_in_token(commitment, period)])
    # No commitment text and no notes in the e-mail: it may be read on a shared screen or
    # kept by a mail server. The link shows the commitment only to its signed-in owner.
    # In the language of the person it goes to, whoever's request or worker queues it.
    with translation.override(commitment.person.preferred_language):
        subject = _("Time for a quick check-in")
        body = render_to_string(
            "practice/email/reminder.txt",
            {"person": commitment.person, "link": link, "cadence": commitment.cadence},
        )
    return outbox.queue(key=key, to=commitment.person.email, subject=subject, body=body)


def deliver(commitment_id: int, period: date, now: datetime | None = None) -> bool:
    """Claim, re-check and queue one reminder, then try to send it. True if one was queued.

    A reminder route (chat, registered in accounts/registry.py) takes it when the person
    chose one; e-mail otherwise, and when the route cannot deliver it."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(commitment_id=commitment_id, period_start=period)
        except IntegrityError:
            return False  # another worker, or an earlier try, already has this one
        commitment = still_due(commitment_id, period, now)
        if commitment is None:
            return False
        send = registry.route_or_email(
            registry.DueReminder(
                person=commitment.person, kind="commitment", object_id=commitment.pk, period=period
            ),
            lambda: queue_email(
                commitment=commitment, period=period, key=f"practice-reminder:{reminder.pk}"
            ),
        )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    send()
    return True
