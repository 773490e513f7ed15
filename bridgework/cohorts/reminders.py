"""Session reminders: planned by the worker, each sent exactly once per person and session.

`plan` finds sessions starting within the next day and queues one `deliver` per person not
yet reminded and not already waiting. `deliver` claims its (session, person) row — the
unique constraint means a second worker can never claim it again — checks once more that
the session is still ahead and the person still in the cohort, because time passes between
the two, and queues the e-mail in the outbox in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from bridgework.accounts import registry
from bridgework.accounts.models import Person
from bridgework.jobs import outbox, queue
from bridgework.jobs.models import OutgoingEmail

from .models import LEADING_ROLES, Membership, Session, SessionReminder

REMIND_BEFORE = timedelta(hours=24)


def people_to_remind(session: Session) -> list[Person]:
    return list(
        Person.objects.filter(is_active=True, organisation_id=session.cohort.organisation_id)
        .filter(
            Q(cohort_memberships__cohort_id=session.cohort_id)
            & Q(cohort_memberships__status=Membership.Status.MEMBER)
            | Q(
                facilitated_cohorts=session.cohort_id,
                role_assignments__role__in=LEADING_ROLES,
            )
        )
        .distinct()
    )


def _due(session: Session, now: datetime) -> bool:
    return now < session.starts_at <= now + REMIND_BEFORE


def plan(now: datetime | None = None) -> int:
    from .tasks import deliver_session_reminder

    now = now or timezone.now()
    sessions = Session.objects.filter(
        starts_at__gt=now, starts_at__lte=now + REMIND_BEFORE
    ).select_related("cohort")
    waiting = queue.waiting_arguments(deliver_session_reminder)
    queued = 0
    for session in sessions:
        reminded = set(
            SessionReminder.objects.filter(session=session).values_list("person_id", flat=True)
        )
        for person in people_to_remind(session):
            if person.pk not in reminded and (session.pk, person.pk) not in waiting:
                deliver_session_reminder.enqueue(session.pk, person.pk)
                queued += 1
    return queued


def still_due(session: Session, person: Person, now: datetime) -> bool:
    """Still ahead, and the person still one to remind."""
    return _due(session, now) and any(p.pk == person.pk for p in people_to_remind(session))


def queue_email(*, session: Session, person: Person, key: str) -> OutgoingEmail | None:
    """The reminder e-mail, queued in the caller's transaction."""
    link = settings.BASE_URL + reverse("cohort_session", args=[session.pk])
    # Only the cohort's name and the time: nothing anyone wrote goes into an e-mail. Written
    # in the language of the person it goes to, not of whoever runs the worker.
    with translation.override(person.preferred_language):
        subject = gettext("Coming up: %(cohort)s") % {"cohort": session.cohort.name}
        body = render_to_string(
            "cohorts/email/reminder.txt", {"person": person, "session": session, "link": link}
        )
    return outbox.queue(key=key, to=person.email, subject=subject, body=body)


def deliver(session_id: int, person_id: int, now: datetime | None = None) -> bool:
    """Claim, re-check and queue one reminder, then try to send it. True if one was queued.

    Through a reminder route (chat) when the person chose one; e-mail otherwise."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                reminder = SessionReminder.objects.create(
                    session_id=session_id, person_id=person_id
                )
        except IntegrityError:
            return False
        session = Session.objects.select_related("cohort", "module").filter(pk=session_id).first()
        if session is None or not _due(session, now or timezone.now()):
            return False
        person = next((p for p in people_to_remind(session) if p.pk == person_id), None)
        if person is None:
            return False
        send = registry.route_or_email(
            registry.DueReminder(person=person, kind="session", object_id=session.pk),
            lambda: queue_email(
                session=session, person=person, key=f"session-reminder:{reminder.pk}"
            ),
        )
        reminder.sent_at = timezone.now()
        reminder.save(update_fields=["sent_at"])
    send()
    return True
