"""Ending a person's sessions, so that deactivating someone signs them out everywhere at once
and reactivating them later does not bring an old session back to life."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

if TYPE_CHECKING:
    from .models import Person


def end_sessions(person: Person) -> int:
    """Delete every unexpired session signed in as the person; the number ended.

    Sessions are stored with their data encoded, so each live one is read; that costs a
    moment per thousand sessions, and only when someone is deactivated."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(person.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)
