"""The e-mail outbox: exactly once in effect, even when a worker is killed mid-delivery.

A delivery (a reminder, an invitation, a digest) decides to send and calls `queue` inside
the same transaction as its own claim, so the decision and the e-mail are committed
together or not at all. `send` then leases the row, hands the message to the mail server
and records it as sent: the SMTP conversation is the only step outside a transaction.

If the process dies after the claim and before the mail server has the message, the lease
runs out and the worker sends it. If it dies after the mail server accepted it but before
"sent" was written, the worker sends it again with the same Message-ID: no mail protocol
lets a sender ask whether a message arrived, and the shared Message-ID is how receiving
systems recognise the copy. That window is one database write long.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac

from bridgework.lib.crypto import DecryptionError, decrypt_text, encrypt_text

from .models import OutgoingEmail

logger = logging.getLogger(__name__)

# Bodies can hold a one-time link (an invitation, a one-click check-in): encrypted at rest
# with a key derived from SECRET_KEY, erased once sent.
BODY_KEY_ID = 0
MAX_RETRY_DELAY = timedelta(hours=1)


def _body_key() -> bytes:
    return salted_hmac("bridgework.jobs.outbox", "body", algorithm="sha256").digest()


def lease_length() -> timedelta:
    return timedelta(seconds=settings.TASK_LEASE_SECONDS)


def _message_domain() -> str:
    _, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return address.rpartition("@")[2] or "bridgework.invalid"


def queue(*, key: str, to: str, subject: str, body: str) -> OutgoingEmail | None:
    """Queue one e-mail in the caller's transaction; None if `key` was queued before."""
    try:
        with transaction.atomic():
            return OutgoingEmail.objects.create(
                key=key,
                message_id=make_msgid(domain=_message_domain()),
                recipient=to,
                subject=subject,
                body=encrypt_text(body, key=_body_key(), key_id=BODY_KEY_ID),
            )
    except IntegrityError:
        return None


def is_queued(key: str) -> bool:
    return OutgoingEmail.objects.filter(key=key).exists()


def _claim(email_id: int) -> bool:
    now = timezone.now()
    claimed = (
        OutgoingEmail.objects.claimable(now)
        .filter(pk=email_id)
        .update(lease_until=now + lease_length(), attempts=F("attempts") + 1)
    )
    return claimed == 1


def _retry_later(email: OutgoingEmail) -> None:
    delay = min(lease_length() * 2 ** min(email.attempts, 12), MAX_RETRY_DELAY)
    OutgoingEmail.objects.filter(pk=email.pk, sent_at__isnull=True).update(
        lease_until=timezone.now() + delay
    )


def send(email: OutgoingEmail | None) -> bool:
    """Lease, send and mark one queued e-mail. False if it is taken, sent, or failed now."""
    if email is None or not _claim(email.pk):
        return False
    email.refresh_from_db()
    try:
        body = decrypt_text(email.body, key=_body_key())
    except DecryptionError:
        # SECRET_KEY changed while it waited. Leave it for an operator; never send garbage.
        logger.error("queued e-mail %s cannot be decrypted; it stays unsent", email.pk)
        _retry_later(email)
        return False
    message = EmailMessage(
        subject=email.subject,
        body=body,
        to=[email.recipient],
        headers={"Message-ID": email.message_id},
    )
    try:
        message.send()
    except OSError:
        # The mail server is away or refused: try again after a growing pause.
        logger.warning("e-mail %s could not be handed to the mail server; retrying", email.pk)
        _retry_later(email)
        return False
    OutgoingEmail.objects.filter(pk=email.pk).update(sent_at=timezone.now(), body="")
    return True


def send_due(limit: int = 50) -> int:
    """Send what is waiting and free: new e-mails, and those whose last try died."""
    ids = list(
        OutgoingEmail.objects.claimable(timezone.now())
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(1 for email in OutgoingEmail.objects.filter(pk__in=ids) if send(email))
