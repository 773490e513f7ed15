"""Moderation: flags, hiding and restoring posts, locking threads, pausing someone's
posting, the log, and the equal-voice numbers. Logs keep ids and reasons, never post text."""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bridgework.accounts.models import Person
from bridgework.lib.suppression import DEFAULT_MIN_CELL

from .. import notices
from ..models import Flag, ModerationAction, Post, PostingPause, Space, Thread, ThreadRead
from ..visibility import can_view
from .threads import RateLimited

logger = logging.getLogger(__name__)

# Flagging: at most this many flags an hour.
FLAG_LIMIT = 10
FLAG_WINDOW = timedelta(hours=1)

# This many distinct people flagging a post holds it until a facilitator looks.
FLAGS_TO_HOLD = 3


def _log(
    *,
    space: Space,
    actor: Person | None,
    kind: str,
    reason: str,
    post: Post | None = None,
    thread: Thread | None = None,
    subject: Person | None = None,
) -> ModerationAction:
    action = ModerationAction.objects.create(
        space=space,
        actor=actor,
        kind=kind,
        reason=reason,
        post=post,
        thread=thread,
        subject=subject,
    )
    logger.info("moderation %s: %s in space %s", action.pk, kind, space.pk)
    return action


def _require_moderator(space: Space, person: Person) -> None:
    if not space.can_moderate(person):
        raise PermissionDenied(_("Only this space's facilitators moderate it."))


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why, in a sentence. The author will see it.")})
    return reason


@transaction.atomic
def flag_post(*, post: Post, person: Person, reason: str) -> Flag:
    if not can_view(person, post) or not post.is_shown:
        raise PermissionDenied(_("Not a post you can flag."))
    if post.author_id == person.pk:
        raise ValidationError({"reason": _("You can edit your own post instead of flagging it.")})
    reason = _require_reason(reason)
    recent = Flag.objects.filter(
        flagged_by=person, created_at__gte=timezone.now() - FLAG_WINDOW
    ).count()
    if recent >= FLAG_LIMIT:
        raise RateLimited(
            ngettext(
                "You have flagged %(count)s post in the last hour. A facilitator will look at "
                "it; if something urgent is happening, contact a facilitator directly.",
                "You have flagged %(count)s posts in the last hour. A facilitator will look at "
                "them; if something urgent is happening, contact a facilitator directly.",
                recent,
            )
            % {"count": recent}
        )
    flag, created = Flag.objects.get_or_create(
        post=post, flagged_by=person, defaults={"reason": reason}
    )
    if not created:
        raise ValidationError({"reason": _("You have already flagged this post.")})
    open_flags = Flag.objects.filter(post=post, resolved_at__isnull=True).aggregate(
        people=Count("flagged_by", distinct=True)
    )["people"]
    if open_flags >= FLAGS_TO_HOLD and post.status == Post.Status.SHOWN:
        Post.objects.filter(pk=post.pk).update(
            status=Post.Status.HELD,
            moderation_reason="Several people flagged this post; it is waiting for a facilitator.",
        )
        post.status = Post.Status.HELD
        _keep_thread_in_step(post)
        notices.settle_news_of_post(url=post.get_absolute_url(), at=timezone.now())
        _log(
            space=post.space,
            actor=None,
            kind=ModerationAction.Kind.HOLD,
            reason=f"{FLAGS_TO_HOLD} people flagged it.",
            post=post,
            thread=post.thread,
            subject=post.author,
        )
        space_name = post.space.name
        notices.tell(
            people=post.space.facilitators.values_list("pk", flat=True),
            kind=notices.MODERATION,
            summary=lambda: (
                _("A post in %(space)s is held after several flags") % {"space": space_name}
            ),
            url=reverse_queue(post.space),
            space_id=post.space_id,
        )
    return flag


def reverse_queue(space: Space) -> str:
    from django.urls import reverse

    return reverse("community_queue", args=[space.pk])


def _keep_thread_in_step(post: Post) -> bool:
    """A thread whose opening post is hidden or held is withheld as a whole, title and all
    (see visibility.py); shown again with it. Its reply count and its last activity come
    from shown posts only, so neither tells the space that someone's post was hidden or
    held. True when the post opens its thread."""
    # Locked as a reply locks it, so a reply arriving meanwhile is counted once.
    Thread.objects.select_for_update().filter(pk=post.thread_id).exists()
    in_thread = Post.objects.filter(thread_id=post.thread_id)
    opening_pk = in_thread.order_by("created_at", "pk").values_list("pk", flat=True)[0]
    shown = in_thread.filter(status=Post.Status.SHOWN).aggregate(
        replies=Count("pk", filter=~Q(pk=opening_pk)), latest=Max("created_at")
    )
    changes: dict[str, object] = {
        "reply_count": shown["replies"],
        "last_activity_at": shown["latest"] or post.thread.created_at,
    }
    opens = opening_pk == post.pk
    if opens:
        changes["is_withheld"] = post.thread.is_withheld = post.status != Post.Status.SHOWN
    Thread.objects.filter(pk=post.thread_id).update(**changes)
    return opens


def _tell_flaggers(post: Post, flags: Sequence[Flag], *, moderator: Person, hidden: bool) -> None:
    """Each person whose flag this decision closes learns the outcome, never the
    facilitator's reason (it is written for the author) nor who else flagged."""
    space = post.space

    def summary() -> str:
        if hidden:
            return _(
                "A post you flagged in %(space)s was hidden by a facilitator. "
                "Thank you for speaking up."
            ) % {"space": space.name}
        return _(
            "A facilitator reviewed a post you flagged in %(space)s and kept it. "
            "Thank you for speaking up."
        ) % {"space": space.name}

    url = space.get_absolute_url() if hidden else post.get_absolute_url()
    notices.tell(
        people=[flag.flagged_by_id for flag in flags if flag.flagged_by_id != moderator.pk],
        kind=notices.FLAG_OUTCOME,
        summary=summary,
        url=url,
        space_id=space.pk,
    )


def _close_flags(post: Post) -> list[Flag]:
    flags = list(
        Flag.objects.filter(post=post, resolved_at__isnull=True).select_related("flagged_by")
    )
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(resolved_at=timezone.now())
    return flags


def _tell_author(post: Post, summary: Callable[[], str], *, moderator: Person) -> None:
    """The post's author learns what a facilitator did to it, unless they did it themself."""
    if post.author is not None and post.author_id != moderator.pk:
        notices.tell(
            people=[post.author],
            kind=notices.MODERATION,
            summary=summary,
            url=post.get_absolute_url(),
            space_id=post.space_id,
        )


def _tell_repliers(post: Post, *, moderator: Person, hidden: bool) -> None:
    """Hiding an opening post hides its thread, and the replies in it, from the space; each
    person whose reply others could read is told once (the thread's author is told on their
    own, the facilitator who decided needs no telling). Neither the thread's title nor the
    reason is said: both are about someone else's post. Hidden, the notice links to the space,
    as they can no longer open the thread; restored, to the thread again."""
    repliers = (
        Post.objects.filter(
            thread_id=post.thread_id, status=Post.Status.SHOWN, author__is_active=True
        )
        .exclude(pk=post.pk)
        .exclude(author_id__in=[moderator.pk, post.author_id])
        .values_list("author_id", flat=True)
        .distinct()
    )

    def summary() -> str:
        # Made inside `tell`, once in each reader's language.
        if hidden:
            return _("A facilitator hid a thread you replied in, and what you wrote there with it.")
        return _(
            "A facilitator restored a thread you replied in, and what you wrote there with it."
        )

    notices.tell(
        people=repliers,
        kind=notices.MODERATION,
        summary=summary,
        url=post.space.get_absolute_url() if hidden else post.thread.get_absolute_url(),
        space_id=post.space_id,
        thread_id=None if hidden else post.thread_id,
    )


@transaction.atomic
def hide_post(*, post: Post, moderator: Person, reason: str) -> Post:
    _require_moderator(post.space, moderator)
    reason = _require_reason(reason)
    was_hidden = post.status == Post.Status.HIDDEN
    post.status = Post.Status.HIDDEN
    post.moderation_reason = reason
    post.save(update_fields=["status", "moderation_reason"])
    opening = _keep_thread_in_step(post)
    notices.settle_news_of_post(url=post.get_absolute_url(), at=timezone.now())
    flags = _close_flags(post)
    _log(
        space=post.space,
        actor=moderator,
        kind=ModerationAction.Kind.HIDE,
        reason=reason,
        post=post,
        thread=post.thread,
        subject=post.author,
    )
    if opening:
        _tell_author(
            post,
            lambda: (
                _(
                    "A facilitator hid the opening post of your thread “%(title)s”, so only you "
                    "and the facilitators see the thread. Their reason: %(reason)s"
                )
                % {"title": post.thread.title, "reason": reason}
            ),
            moderator=moderator,
        )
        if not was_hidden:
            _tell_repliers(post, moderator=moderator, hidden=True)
    else:
        _tell_author(
            post,
            lambda: (
                _("A facilitator hid your post in “%(title)s”: %(reason)s")
                % {"title": post.thread.title, "reason": reason}
            ),
            moderator=moderator,
        )
    _tell_flaggers(post, flags, moderator=moderator, hidden=True)
    return post


@transaction.atomic
def restore_post(*, post: Post, moderator: Person, reason: str) -> Post:
    """Shows the post again (or keeps it shown) and closes the flags on it."""
    _require_moderator(post.space, moderator)
    reason = _require_reason(reason)
    was_shown = post.is_shown
    was_hidden = post.status == Post.Status.HIDDEN
    post.status = Post.Status.SHOWN
    post.moderation_reason = ""
    post.save(update_fields=["status", "moderation_reason"])
    opening = _keep_thread_in_step(post)
    flags = _close_flags(post)
    _log(
        space=post.space,
        actor=moderator,
        kind=ModerationAction.Kind.RESTORE,
        reason=reason,
        post=post,
        thread=post.thread,
        subject=post.author,
    )
    if not was_shown:
        _tell_author(
            post,
            lambda: (
                _("A facilitator restored your post in “%(title)s”: %(reason)s")
                % {"title": post.thread.title, "reason": reason}
            ),
            moderator=moderator,
        )
    if opening and was_hidden:
        # Only after a hiding they were told of: a post held after flags was withheld
        # without a word to them, and "restored" would tell them it had been flagged.
        _tell_repliers(post, moderator=moderator, hidden=False)
    _tell_flaggers(post, flags, moderator=moderator, hidden=False)
    return post


@transaction.atomic
def lock_thread(*, thread: Thread, moderator: Person, reason: str, locked: bool = True) -> Thread:
    _require_moderator(thread.space, moderator)
    reason = _require_reason(reason)
    thread.is_locked = locked
    thread.lock_reason = reason if locked else ""
    thread.save(update_fields=["is_locked", "lock_reason"])
    kind = ModerationAction.Kind.LOCK if locked else ModerationAction.Kind.UNLOCK
    _log(
        space=thread.space,
        actor=moderator,
        kind=kind,
        reason=reason,
        thread=thread,
        subject=thread.author,
    )
    if thread.author is not None and thread.author_id != moderator.pk:
        said = {"title": thread.title, "reason": reason}
        notices.tell(
            people=[thread.author],
            kind=notices.MODERATION,
            summary=lambda: (
                (
                    _("A facilitator locked your thread “%(title)s”: %(reason)s")
                    if locked
                    else _("A facilitator unlocked your thread “%(title)s”: %(reason)s")
                )
                % said
            ),
            url=thread.get_absolute_url(),
            space_id=thread.space_id,
        )
    return thread


@transaction.atomic
def pause_posting(*, space: Space, person: Person, moderator: Person, reason: str) -> PostingPause:
    _require_moderator(space, moderator)
    reason = _require_reason(reason)
    if person.pk == moderator.pk:
        raise ValidationError({"reason": _("You cannot pause your own posting.")})
    if not can_view(person, space):
        raise PermissionDenied(_("That person is not in this space."))
    existing = PostingPause.objects.active().filter(space=space, person=person).first()
    if existing is not None:
        raise ValidationError({"reason": _("Their posting here is already paused.")})
    pause = PostingPause.objects.create(
        space=space, person=person, reason=reason, created_by=moderator
    )
    _log(
        space=space,
        actor=moderator,
        kind=ModerationAction.Kind.PAUSE,
        reason=reason,
        subject=person,
    )
    notices.tell(
        people=[person],
        kind=notices.MODERATION,
        summary=lambda: (
            _("A facilitator paused your posting in %(space)s: %(reason)s")
            % {"space": space.name, "reason": reason}
        ),
        url=space.get_absolute_url(),
        space_id=space.pk,
    )
    return pause


@transaction.atomic
def lift_pause(*, pause: PostingPause, moderator: Person, reason: str) -> None:
    _require_moderator(pause.space, moderator)
    reason = _require_reason(reason)
    pause.lifted_at = timezone.now()
    pause.save(update_fields=["lifted_at"])
    _log(
        space=pause.space,
        actor=moderator,
        kind=ModerationAction.Kind.UNPAUSE,
        reason=reason,
        subject=pause.person,
    )
    notices.tell(
        people=[pause.person],
        kind=notices.MODERATION,
        summary=lambda: (
            _("You can post in %(space)s again: %(reason)s")
            % {"space": pause.space.name, "reason": reason}
        ),
        url=pause.space.get_absolute_url(),
        space_id=pause.space_id,
    )


BALANCE_DAYS = 90


@dataclass(frozen=True)
class Balance:
    posts: int
    posters: int
    top_tenth_people: int
    top_tenth_share: int  # whole percent of posts written by the most active tenth
    # At least the minimum opened a thread here but never posted. Reading leaves no trace
    # anyone else sees: a count that moved by one would tell a facilitator the moment the
    # one person they watch opened a thread.
    many_read_only: bool
    days: int
    minimum: int = DEFAULT_MIN_CELL


def participation_balance(space: Space) -> Balance:
    """Numbers for the space's facilitators: never names, never a ranking."""
    since = timezone.now() - timedelta(days=BALANCE_DAYS)
    per_person = sorted(
        Post.objects.filter(space=space, created_at__gte=since, author__isnull=False)
        .values("author")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True),
        reverse=True,
    )
    total = sum(per_person)
    top = math.ceil(len(per_person) / 10) if per_person else 0
    share = round(100 * sum(per_person[:top]) / total) if total else 0
    all_time_posters = Post.objects.filter(space=space, author__isnull=False).values("author")
    readers = (
        ThreadRead.objects.filter(space=space)
        .exclude(person_id__in=all_time_posters)
        .values("person")
        .distinct()[:DEFAULT_MIN_CELL]
        .count()
    )
    return Balance(
        posts=total,
        posters=len(per_person),
        top_tenth_people=top,
        top_tenth_share=share,
        many_read_only=readers >= DEFAULT_MIN_CELL,
        days=BALANCE_DAYS,
    )
