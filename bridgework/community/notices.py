"""The kinds of notification the community sends (declared with the notifications app),
and how a notification's summary reaches each person in their own language."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import Person
from bridgework.notifications.api import mark_read, notify_many
from bridgework.notifications.kinds import Kind

# A kind's label is a str to the notifications app; the lazy text becomes one in the
# reader's language wherever it is shown.
REPLY = Kind("reply", cast(str, gettext_lazy("A reply in a thread you follow")))
MENTION = Kind("mention", cast(str, gettext_lazy("Someone mentioned you")))
MODERATION = Kind("moderation", cast(str, gettext_lazy("A facilitator's decision about your post")))
FLAG_OUTCOME = Kind("flag_outcome", cast(str, gettext_lazy("What became of a post you flagged")))

POLL_CLOSED = Kind("poll_closed", cast(str, gettext_lazy("A poll you took part in has closed")))

KINDS = (REPLY, MENTION, MODERATION, FLAG_OUTCOME, POLL_CLOSED)


def tell(
    *,
    people: Iterable[Person | int] | QuerySet[Any, int],
    kind: str | Kind,
    summary: Callable[[], str],
    url: str,
    space_id: int | None = None,
    thread_id: int | None = None,
) -> None:
    """`notify_many`, with the summary written in each person's own language: a summary is
    stored as text, so it is made once per language, under that language (one query reads
    who prefers which)."""
    if isinstance(people, QuerySet):
        wanted = Person.objects.filter(pk__in=people)
    else:
        ids = {p if isinstance(p, int) else p.pk for p in people}
        if not ids:
            return
        wanted = Person.objects.filter(pk__in=ids)
    by_language: dict[str, list[int]] = defaultdict(list)
    for person in wanted.select_related("organisation").only(
        "pk", "language", "organisation__default_language"
    ):
        by_language[person.preferred_language].append(person.pk)
    for language, person_ids in sorted(by_language.items()):
        with translation.override(language):
            notify_many(
                people=person_ids,
                kind=kind,
                summary=str(summary()),
                url=url,
                space_id=space_id,
                thread_id=thread_id,
            )


def settle_news_of_post(*, url: str, at: Any) -> None:
    """A post is hidden or held: the replies and mentions people were told of, and have not
    opened yet, stop being news (the page they point at no longer shows the post)."""
    for kind in (REPLY, MENTION):
        mark_read(kind=kind, url=url, at=at)
