"""Background work of the notifications app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task
from django.utils import translation

from bridgework.accounts.models import Organisation, Person, usual_language

from . import digest
from .models import Notification
from .spaces import rules


@task(queue_name="default")
def deliver(
    *,
    person_ids: list[int],
    kind: str,
    summary: str,
    url: str,
    space_id: int | None,
    thread_id: int | None,
    summary_params: dict[str, str | int] | None = None,
) -> int:
    """Makes one batch of notifications: one query picks who may be told (and reads their
    language), a bulk insert tells them, each in their own language. Returns how many were
    made."""
    people = Person.objects.filter(pk__in=person_ids, is_active=True)
    if space_id is not None:
        # Checked now, after the commit, against the audience as it is now.
        people = people.filter(rules().audience(space_id, thread_id))
    summaries: dict[str, str] = {}
    notifications = []
    for person_id, chosen, default in people.values_list(
        "pk", "language", "organisation__default_language"
    ):
        language = usual_language(chosen, Organisation(default_language=default or ""))
        if language not in summaries:
            summaries[language] = summary_in(language, summary, summary_params)
        notifications.append(
            Notification(
                person_id=person_id,
                kind=kind,
                summary=summaries[language],
                url=url,
                space_id=space_id,
                thread_id=thread_id,
            )
        )
    return len(Notification.objects.bulk_create(notifications))


def summary_in(language: str, summary: str, params: dict[str, str | int] | None) -> str:
    """The summary in one language: its translation, with the placeholders filled in."""
    with translation.override(language):
        text = translation.gettext(summary) if summary else ""
        if params:
            text = text % params
    return text[:300]


@task(queue_name="default")
def send_digests() -> int:
    """Every person whose digest is due gets one; safe to run from several workers."""
    return digest.send_due()
