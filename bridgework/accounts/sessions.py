"""Sessions: Django's database sessions, read with a prepared query (every signed-in page
reads one), and ending a person's sessions, so that deactivating someone signs them out
everywhere at once and reactivating them later does not bring an old session back to life."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.db.models import QuerySet
from django.utils import timezone

from bridgework.lib.prepared import prepared

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


@prepared
def _live_session(*, session_key: str, now: datetime.datetime) -> QuerySet[Session]:
    return Session.objects.filter(session_key=session_key, expire_date__gt=now)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Session | None:
        found = _live_session(session_key=self.session_key or "", now=timezone.now()).first()
        if found is None:
            self._session_key = None
        return found
