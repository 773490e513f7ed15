"""Reminders in chat, each sent at most once, falling back to e-mail when chat fails.

A reminder task (practice's or cohorts') claims its reminder and, in the same transaction,
asks the reminder routes in accounts/registry.py whether one takes it; `route`, registered
by ChatConfig.ready(), asks `commitment_reminder` / `session_reminder` whether the person's
reminders go to chat. If they do, a pending `ChatDelivery` is written instead of an e-mail;
after the commit the task calls what `route` returned, `send` for that row, exactly as it
would hand an e-mail to the outbox. `send` leases the row, calls the platform and records
the outcome:

- sent: the platform's message reference is kept, so a button press updates it in place;
- `RateLimited`: the row waits until the platform's Retry-After has passed, and the
  worker's sweep (`send_due`) sends it then;
- `ChatUnreachable` (not connected, token revoked, link gone): the e-mail the person would
  have had is queued instead and the reason is kept for their Profile;
- anything else (the network): tried again later, and after `MAX_ATTEMPTS` the e-mail goes.

A worker killed mid-send leaves a lease that runs out; the sweep then tries again.

A check-in recorded anywhere (the web, an e-mail link, a button on either platform) is
heard through `check_in_recorded`; after the commit the worker's `show_check_in` replaces
the sent reminder's buttons with "Checked in: done, this week". The row's `shows` says
what the message shows already, so a retried or repeated check-in asks the platform once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.tasks import task_backends
from django.utils import timezone, translation

from bridgework.accounts.models import Person
from bridgework.accounts.registry import CheckInRecorded, DueReminder
from bridgework.cohorts import api as cohorts
from bridgework.jobs import outbox
from bridgework.jobs.models import OutgoingEmail
from bridgework.practice import api as practice

from . import platforms
from .actions import checked_in_text
from .models import ChatDelivery, ChatLink, Destination, ReminderDestination
from .platforms import ChatUnreachable, RateLimited

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_DELAY = timedelta(minutes=2)


def destination_of(person: Person) -> str:
    chosen = (
        ReminderDestination.objects.filter(person=person)
        .values_list("destination", flat=True)
        .first()
    )
    return chosen or Destination.EMAIL


def _pending(
    *, person: Person, kind: ChatDelivery.Kind, object_id: int, period: str
) -> ChatDelivery | None:
    """A pending delivery in the caller's transaction, or None when e-mail is the way."""
    destination = destination_of(person)
    if destination == Destination.EMAIL:
        return None
    try:
        with transaction.atomic():
            return ChatDelivery.objects.create(
                person=person, platform=destination, kind=kind, object_id=object_id, period=period
            )
    except IntegrityError:
        # Already claimed by another worker: nothing more to send, and no e-mail either.
        return ChatDelivery.objects.get(
            person=person, kind=kind, object_id=object_id, period=period
        )


def commitment_reminder(*, person: Person, commitment_id: int, period: date) -> ChatDelivery | None:
    return _pending(
        person=person,
        kind=ChatDelivery.Kind.COMMITMENT,
        object_id=commitment_id,
        period=period.isoformat(),
    )


def session_reminder(*, person: Person, session_id: int) -> ChatDelivery | None:
    return _pending(person=person, kind=ChatDelivery.Kind.SESSION, object_id=session_id, period="")


def route(reminder: DueReminder) -> Callable[[], bool] | None:
    """The reminder route chat registers: a pending delivery when the person's reminders go
    to chat, written in the caller's transaction, and the `send` to call after its commit."""
    if reminder.kind == "commitment":
        if reminder.period is None:
            raise ValueError("A commitment reminder names its period.")
        pending = commitment_reminder(
            person=reminder.person, commitment_id=reminder.object_id, period=reminder.period
        )
    else:
        pending = session_reminder(person=reminder.person, session_id=reminder.object_id)
    if pending is None:
        return None
    return lambda: send(pending)


def _claim(delivery_id: int, now: datetime) -> bool:
    lease = timedelta(seconds=settings.TASK_LEASE_SECONDS)
    free = Q(status=ChatDelivery.Status.PENDING) | Q(
        status=ChatDelivery.Status.SENDING, leased_until__lt=now
    )
    return bool(
        ChatDelivery.objects.filter(free, pk=delivery_id, not_before__lte=now).update(
            status=ChatDelivery.Status.SENDING,
            leased_until=now + lease,
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )


def _link_for(delivery: ChatDelivery) -> tuple[platforms.ChatPlatform, ChatLink]:
    platform = platforms.get(delivery.platform)
    if platform is None or not platform.is_connected(delivery.person.organisation):
        raise ChatUnreachable("not_connected")
    link = (
        ChatLink.objects.confirmed()
        .filter(person=delivery.person, platform=delivery.platform)
        .select_related("person")
        .first()
    )
    if link is None:
        raise ChatUnreachable("not_linked")
    return platform, link


def _send_to_platform(delivery: ChatDelivery, now: datetime) -> tuple[bool, str | None]:
    """(still wanted, message reference). Re-checks the reminder: time passes while a
    delivery waits out a rate limit."""
    if delivery.kind == ChatDelivery.Kind.COMMITMENT:
        period = date.fromisoformat(delivery.period)
        commitment = practice.reminder_still_due(delivery.object_id, period)
        if commitment is None:
            return False, None
        platform, link = _link_for(delivery)
        return True, platform.send_commitment_reminder(link, commitment, period)
    session = (
        cohorts.Session.objects.select_related("cohort", "module")
        .filter(pk=delivery.object_id)
        .first()
    )
    if session is None or not cohorts.session_reminder_still_due(session, delivery.person, now):
        return False, None
    platform, link = _link_for(delivery)
    return True, platform.send_session_reminder(link, session)


def _fallback_email(delivery: ChatDelivery) -> OutgoingEmail | None:
    key = f"chat-fallback:{delivery.pk}"
    if delivery.kind == ChatDelivery.Kind.COMMITMENT:
        commitment = practice.Commitment.objects.select_related("person").filter(
            pk=delivery.object_id
        )
        found = commitment.first()
        if found is None:
            return None
        return practice.queue_reminder_email(
            commitment=found, period=date.fromisoformat(delivery.period), key=key
        )
    session = cohorts.Session.objects.select_related("cohort").filter(pk=delivery.object_id).first()
    if session is None:
        return None
    return cohorts.queue_session_reminder_email(session=session, person=delivery.person, key=key)


def _finish(delivery: ChatDelivery, **fields: object) -> None:
    ChatDelivery.objects.filter(pk=delivery.pk).update(
        leased_until=None, updated_at=timezone.now(), **fields
    )


def _fall_back(delivery: ChatDelivery, reason: str) -> None:
    with transaction.atomic():
        email = _fallback_email(delivery)
        _finish(delivery, status=ChatDelivery.Status.FELL_BACK, problem=reason[:40])
    logger.info("chat delivery %s fell back to e-mail (%s)", delivery.pk, reason)
    outbox.send(email)


def send(delivery: ChatDelivery | None, now: datetime | None = None) -> bool:
    """Send one pending delivery (after the claiming transaction committed). True if the
    platform took it."""
    if delivery is None:
        return False
    now = now or timezone.now()
    if not _claim(delivery.pk, now):
        return False
    delivery = ChatDelivery.objects.select_related("person__organisation").get(pk=delivery.pk)
    try:
        # Rendered for the person it reaches, in their language, whoever's worker sends it.
        with translation.override(delivery.person.preferred_language):
            wanted, ref = _send_to_platform(delivery, now)
    except RateLimited as limit:
        logger.info("chat delivery %s rate limited for %ss", delivery.pk, limit.retry_after_seconds)
        _finish(
            delivery,
            status=ChatDelivery.Status.PENDING,
            not_before=now + timedelta(seconds=limit.retry_after_seconds),
            attempts=F("attempts") - 1,  # waiting as asked is not a failure
        )
        return False
    except ChatUnreachable as unreachable:
        _fall_back(delivery, unreachable.reason)
        return False
    except Exception as error:  # the network, a platform's 5xx: try again later
        logger.warning("chat delivery %s failed (%s)", delivery.pk, type(error).__name__)
        if delivery.attempts >= MAX_ATTEMPTS:
            _fall_back(delivery, "unavailable")
        else:
            _finish(
                delivery,
                status=ChatDelivery.Status.PENDING,
                not_before=now + RETRY_DELAY * delivery.attempts,
            )
        return False
    if not wanted:
        _finish(delivery, status=ChatDelivery.Status.SENT, message_ref="")
        return False
    _finish(delivery, status=ChatDelivery.Status.SENT, message_ref=ref or "")
    return True


def send_due(limit: int = 50, now: datetime | None = None) -> int:
    """The worker's sweep: deliveries whose rate limit has passed or whose worker died."""
    now = now or timezone.now()
    due = ChatDelivery.objects.filter(
        Q(status=ChatDelivery.Status.PENDING)
        | Q(status=ChatDelivery.Status.SENDING, leased_until__lt=now),
        not_before__lte=now,
    ).order_by("not_before", "pk")[:limit]
    return sum(1 for delivery in list(due) if send(delivery, now))


def check_in_recorded(event: CheckInRecorded) -> None:
    """The check-in listener chat registers: when the period's reminder went out in chat,
    the worker updates that message once the check-in has committed."""
    from .tasks import show_check_in

    sent = (
        ChatDelivery.objects.filter(
            person_id=event.person_id,
            kind=ChatDelivery.Kind.COMMITMENT,
            object_id=event.commitment_id,
            period=event.period.isoformat(),
            status=ChatDelivery.Status.SENT,
        )
        .exclude(message_ref="")
        .values_list("pk", flat=True)
        .first()
    )
    if sent is not None:
        transaction.on_commit(lambda: show_check_in.enqueue(sent))


def _show_later(delivery_id: int, seconds: int) -> None:
    from .tasks import show_check_in

    if task_backends[show_check_in.backend].supports_defer:
        run_after = timezone.now() + timedelta(seconds=seconds)
        show_check_in.using(run_after=run_after).enqueue(delivery_id)


def show_check_in(delivery_id: int) -> bool:
    """Make a sent reminder show its period's check-in without buttons. True if the
    platform was asked to; False when it already shows it, or the platform is gone (a
    revoked token, an uninstalled app, an unlinked person: nothing to update there)."""
    found = (
        ChatDelivery.objects.select_related("person__organisation")
        .filter(pk=delivery_id, kind=ChatDelivery.Kind.COMMITMENT, status=ChatDelivery.Status.SENT)
        .exclude(message_ref="")
        .first()
    )
    if found is None:
        return False
    period = date.fromisoformat(found.period)
    commitment = (
        practice.Commitment.objects.filter(pk=found.object_id, person_id=found.person_id)
        .select_related("tip")
        .first()
    )
    outcome = (
        practice.CheckIn.objects.filter(commitment_id=found.object_id, period_start=period)
        .values_list("outcome", flat=True)
        .first()
    )
    if commitment is None or outcome is None:
        return False
    # Claim the change, so that of two workers (or a repeated check-in) one asks the platform.
    claimed = ChatDelivery.objects.filter(pk=found.pk).exclude(shows=outcome).update(shows=outcome)
    if not claimed:
        return False
    try:
        platform, link = _link_for(found)
        with translation.override(found.person.preferred_language):
            text = checked_in_text(commitment, outcome)
            platform.update_commitment_reminder(link, found.message_ref, text)
    except ChatUnreachable as unreachable:
        logger.info("chat delivery %s not updated (%s)", found.pk, unreachable.reason)
        return False
    except Exception as error:  # a rate limit, the network: the message still shows buttons
        ChatDelivery.objects.filter(pk=found.pk, shows=outcome).update(shows=found.shows)
        logger.info("chat delivery %s not updated yet (%s)", found.pk, type(error).__name__)
        if isinstance(error, RateLimited):
            _show_later(found.pk, error.retry_after_seconds)
        return False
    return True


def last_problem(person: Person) -> ChatDelivery | None:
    return (
        ChatDelivery.objects.filter(person=person, status=ChatDelivery.Status.FELL_BACK)
        .order_by("-updated_at", "-pk")
        .first()
    )
