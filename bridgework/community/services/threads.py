"""Writes about threads and posts: starting, replying, editing, mentions, reactions,
follows, reads and search. Post text never goes to a log."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import Person
from bridgework.lib.markdown import render as render_markdown
from bridgework.notifications.api import mark_thread_read

from .. import notices
from ..models import (
    Follow,
    Mention,
    Post,
    PostingPause,
    PostRevision,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)
from ..visibility import audience_q, can_view

logger = logging.getLogger(__name__)

# Posting: at most this many posts (threads and replies) in this window, across spaces.
POST_LIMIT = 10
POST_WINDOW = timedelta(minutes=10)

# "Step back, make room": this many posts in one space within this window.
NUDGE_POSTS = 4
NUDGE_WINDOW = timedelta(minutes=30)

MAX_MENTIONS = 10
MENTION_RE = re.compile(r"(?<![\w@./:+-])@([a-z0-9][a-z0-9-]{0,60}[a-z0-9])")


class RateLimited(Exception):
    """Too much, too fast. The message says when to try again, in plain words."""


class GuidelinesNeeded(Exception):
    """The person has not yet accepted this space's guidelines."""


def _check_can_post(space: Space, person: Person) -> None:
    if not can_view(person, space):
        raise PermissionDenied(_("Not a space you can see."))
    if space.is_archived:
        raise PermissionDenied(_("This space is archived and takes no new posts."))
    pause = PostingPause.objects.active().filter(space=space, person=person).first()
    if pause is not None:
        raise PermissionDenied(
            _("A facilitator has paused your posting in this space. Their reason: %(reason)s")
            % {"reason": pause.reason}
        )
    if not space.has_accepted_guidelines(person):
        raise GuidelinesNeeded
    recent = Post.objects.filter(
        author=person, created_at__gte=timezone.now() - POST_WINDOW
    ).count()
    if recent >= POST_LIMIT:
        minutes = int(POST_WINDOW.total_seconds() // 60)
        raise RateLimited(
            ngettext(
                "You have posted %(count)s times in the last %(minutes)s minutes. Take a "
                "breather and try again in a few minutes; your text is still here.",
                "You have posted %(count)s times in the last %(minutes)s minutes. Take a "
                "breather and try again in a few minutes; your text is still here.",
                recent,
            )
            % {"count": recent, "minutes": minutes}
        )


def mention_handle(person: Person) -> str:
    return slugify(person.chosen_name) or f"person-{person.pk}"


def _named_people(space: Space, body: str) -> list[Person]:
    """Everyone in the organisation named with @handle. All of them are highlighted, whether
    or not they can see the space, so a highlight never tells a reader who belongs to a group
    or cohort; only those who can see the space are told (`_who_can_see`)."""
    handles = list(dict.fromkeys(MENTION_RE.findall(body.lower())))[:MAX_MENTIONS]
    if not handles:
        return []
    names = Q()
    for handle in handles:
        names |= Q(chosen_name__iexact=handle.replace("-", " "))
    candidates = Person.objects.filter(names, organisation_id=space.organisation_id, is_active=True)
    return [p for p in candidates if mention_handle(p) in handles]


def _who_can_see(space: Space, people: Sequence[Person]) -> list[Person]:
    seeing = set(
        Person.objects.filter(audience_q(space), pk__in=[p.pk for p in people]).values_list(
            "pk", flat=True
        )
    )
    return [p for p in people if p.pk in seeing]


def _render(body: str, mentioned: Sequence[Person]) -> str:
    html = render_markdown(body)
    handles = {mention_handle(p): p.chosen_name for p in mentioned}
    if not handles:
        return html

    def wrap(match: re.Match[str]) -> str:
        handle = match.group(1)
        if handle not in handles:
            return match.group(0)
        return f'<span class="mention">@{handle}</span>'

    # Handles are [a-z0-9-] only, so wrapping them cannot open any markup.
    return MENTION_RE.sub(wrap, html)


def _notify_thread(post: Post, mentioned: Sequence[Person]) -> None:
    """Followers and the people mentioned hear of the post once it is committed; a withheld
    thread's title reaches only those who may still open it (checked as they are told)."""
    thread = post.thread
    author = post.author
    told: set[int] = {author.pk} if author else set()
    named = [p.pk for p in mentioned if p.pk not in told]
    names = {"name": author.chosen_name if author else None, "title": thread.title}

    def mention() -> str:
        if names["name"] is None:
            return _("Someone mentioned you in “%(title)s”") % names
        return _("%(name)s mentioned you in “%(title)s”") % names

    def replied() -> str:
        if names["name"] is None:
            return _("Someone replied in “%(title)s”") % names
        return _("%(name)s replied in “%(title)s”") % names

    notices.tell(
        people=named,
        kind=notices.MENTION,
        summary=mention,
        url=post.get_absolute_url(),
        space_id=post.space_id,
        thread_id=thread.pk,
    )
    notices.tell(
        people=Follow.objects.filter(thread=thread)
        .exclude(person_id__in=told | set(named))
        .values_list("person_id", flat=True),
        kind=notices.REPLY,
        summary=replied,
        url=post.get_absolute_url(),
        space_id=post.space_id,
        thread_id=thread.pk,
    )


def _follow(thread: Thread, person: Person) -> None:
    Follow.objects.get_or_create(thread=thread, person=person)


@transaction.atomic
def start_thread(*, space: Space, author: Person, title: str, body: str) -> Thread:
    _check_can_post(space, author)
    now = timezone.now()
    thread = Thread(space=space, title=title.strip(), author=author, created_at=now)
    thread.last_activity_at = now
    thread.full_clean()
    thread.save()
    _write_post(thread=thread, author=author, body=body, now=now)
    _follow(thread, author)
    logger.info("thread %s started in space %s", thread.pk, space.pk)
    return thread


def _write_post(*, thread: Thread, author: Person, body: str, now: datetime) -> Post:
    named = _named_people(thread.space, body)
    mentioned = _who_can_see(thread.space, named)
    post = Post(
        space=thread.space,
        thread=thread,
        author=author,
        body=body,
        body_html=_render(body, named),
        created_at=now,
    )
    post.full_clean()
    post.save()
    Mention.objects.bulk_create([Mention(post=post, person=p) for p in mentioned])
    _notify_thread(post, mentioned)
    return post


@transaction.atomic
def reply(*, thread: Thread, author: Person, body: str) -> Post:
    thread = Thread.objects.select_for_update().select_related("space").get(pk=thread.pk)
    if thread.is_locked and not thread.space.can_moderate(author):
        raise PermissionDenied(
            _("This thread is locked. The facilitator's reason: %(reason)s")
            % {"reason": thread.lock_reason}
        )
    _check_can_post(thread.space, author)
    now = timezone.now()
    post = _write_post(thread=thread, author=author, body=body, now=now)
    Thread.objects.filter(pk=thread.pk).update(
        last_activity_at=now, reply_count=thread.reply_count + 1
    )
    _follow(thread, author)
    logger.info("reply %s in thread %s", post.pk, thread.pk)
    return post


def needs_nudge(*, space: Space, person: Person) -> bool:
    """True when someone has posted many times in one space in a short while."""
    since = timezone.now() - NUDGE_WINDOW
    return (
        Post.objects.filter(space=space, author=person, created_at__gte=since).count()
        >= NUDGE_POSTS
    )


@transaction.atomic
def edit_post(*, post: Post, editor: Person, body: str) -> Post:
    if post.author_id != editor.pk or not can_view(editor, post):
        raise PermissionDenied(_("Only the author edits a post."))
    if post.thread.is_locked:
        raise PermissionDenied(_("This thread is locked."))
    if body == post.body:
        return post
    PostRevision.objects.create(
        post=post, body=post.body, written_at=post.edited_at or post.created_at
    )
    named = _named_people(post.space, body)
    mentioned = _who_can_see(post.space, named)
    already = set(Mention.objects.filter(post=post).values_list("person_id", flat=True))
    post.body = body
    post.body_html = _render(body, named)
    post.edited_at = timezone.now()
    post.full_clean()
    post.save(update_fields=["body", "body_html", "edited_at"])
    # A hidden or held post tells nobody: a notice would point at what they cannot see.
    new = [p for p in mentioned if p.pk not in already] if post.is_shown else []
    Mention.objects.bulk_create([Mention(post=post, person=p) for p in new])
    told = [p for p in new if p.pk != editor.pk]
    # A new mention is news in the thread for whoever it names, as a new post is: the thread
    # shows as new to them, and opening it settles the notification.
    last_activity = post.thread.last_activity_at
    ThreadRead.objects.filter(
        thread_id=post.thread_id, person__in=told, last_read_at__gte=last_activity
    ).update(last_read_at=last_activity - timedelta(microseconds=1))
    names = {"name": editor.chosen_name, "title": post.thread.title}
    notices.tell(
        people=told,
        kind=notices.MENTION,
        summary=lambda: _("%(name)s mentioned you in “%(title)s”") % names,
        url=post.get_absolute_url(),
        space_id=post.space_id,
        thread_id=post.thread_id,
    )
    return post


def toggle_reaction(*, post: Post, person: Person, kind: str) -> bool:
    """Adds the reaction, or takes it back if it was there. True when it is now on."""
    if kind not in Reaction.Kind.values:
        raise ValidationError(_("Choose one of the reactions offered."))
    if not can_view(person, post) or not post.is_shown:
        raise PermissionDenied(_("Not a post you can react to."))
    # Matched by the person themself (Django refuses one never saved, rather than matching
    # NULL): a reaction kept after its person's erasure is never anyone's to take back.
    deleted, _kinds = Reaction.objects.filter(post=post, person=person, kind=kind).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            Reaction.objects.create(post=post, person=person, kind=kind)
    except IntegrityError:
        pass
    return True


def set_follow(*, thread: Thread, person: Person, follow: bool) -> None:
    if not can_view(person, thread):
        raise PermissionDenied(_("Not a thread you can see."))
    if follow:
        try:
            with transaction.atomic():
                _follow(thread, person)
        except IntegrityError:
            pass
    else:
        Follow.objects.filter(thread=thread, person=person).delete()


def record_read(*, thread: Thread, person: Person) -> None:
    """The person has read the thread up to now (its page calls this only when something
    in it was new to them, so reading it again writes nothing)."""
    now = timezone.now()
    mark_thread_read(person=person, thread_id=thread.pk, at=now)
    updated = ThreadRead.objects.filter(thread=thread, person=person).update(last_read_at=now)
    if not updated:
        try:
            with transaction.atomic():
                ThreadRead.objects.create(thread=thread, person=person, space_id=thread.space_id)
        except IntegrityError:
            pass


def search_posts(*, person: Person, query: str, limit: int = 50) -> list[Post]:
    """Posts matching the words, only from what the person may see."""
    query = query.strip()
    if not query:
        return []
    return list(
        Post.objects.visible_to(person)
        .filter(Q(body__icontains=query) | Q(thread__title__icontains=query))
        .select_related("thread", "space", "author")
        .order_by("-created_at", "-pk")[:limit]
    )
