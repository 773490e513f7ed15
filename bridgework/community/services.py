"""Writes of the community app: spaces, threads, posts, reactions, follows, flags,
moderation, polls. Keyword-only, validated, atomic.

Every write checks the visibility rule again, so a stale page cannot act on a space the
person has just left. Post text never goes to a log; moderation logs keep ids and reasons.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.text import slugify

from bridgework.accounts.models import CommunityGroup, GroupMembership, Organisation, Person, Role
from bridgework.cohorts.models import Cohort
from bridgework.lib.markdown import render as render_markdown

from .models import (
    Flag,
    Follow,
    GuidelinesAcceptance,
    Mention,
    ModerationAction,
    Notification,
    Poll,
    PollAnswer,
    PollOption,
    PollResponse,
    Post,
    PostingPause,
    PostRevision,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)
from .notifications import notify
from .visibility import can_view

logger = logging.getLogger(__name__)

# Posting: at most this many posts (threads and replies) in this window, across spaces.
POST_LIMIT = 10
POST_WINDOW = timedelta(minutes=10)
# Flagging: at most this many flags an hour.
FLAG_LIMIT = 10
FLAG_WINDOW = timedelta(hours=1)
# This many distinct people flagging a post holds it until a facilitator looks.
FLAGS_TO_HOLD = 3
# "Step back, make room": this many posts in one space within this window.
NUDGE_POSTS = 4
NUDGE_WINDOW = timedelta(minutes=30)
MAX_MENTIONS = 10
MENTION_RE = re.compile(r"(?<![\w@./:+-])@([a-z0-9][a-z0-9-]{0,60}[a-z0-9])")


class RateLimited(Exception):
    """Too much, too fast. The message says when to try again, in plain words."""


class GuidelinesNeeded(Exception):
    """The person has not yet accepted this space's guidelines."""


# --- spaces ---------------------------------------------------------------------------------


def _check_facilitators(organisation: Organisation, facilitators: Iterable[Person]) -> list[Person]:
    chosen = list(facilitators)
    for person in chosen:
        if (
            person.organisation_id != organisation.pk
            or not person.is_active
            or not person.has_role(Role.FACILITATOR)
        ):
            raise ValidationError(
                {"facilitators": f"{person.chosen_name} does not hold the facilitator role."}
            )
    return chosen


def _check_audience(
    space: Space, organisation: Organisation, cohort: Cohort | None, group: CommunityGroup | None
) -> None:
    if space.audience == Space.Audience.COHORT:
        if cohort is None:
            raise ValidationError({"cohort": "Choose the cohort whose members this space is for."})
        if cohort.organisation_id != organisation.pk:
            raise ValidationError({"cohort": "Choose a cohort of your organisation."})
    if space.audience == Space.Audience.GROUP:
        if group is None:
            raise ValidationError({"group": "Choose the community group this space is for."})
        if group.organisation_id != organisation.pk:
            raise ValidationError({"group": "Choose a group of your organisation."})
    space.cohort = cohort if space.audience == Space.Audience.COHORT else None
    space.group = group if space.audience == Space.Audience.GROUP else None


@transaction.atomic
def create_space(
    *,
    organisation: Organisation,
    created_by: Person,
    name: str,
    audience: str,
    description: str = "",
    cohort: Cohort | None = None,
    group: CommunityGroup | None = None,
    facilitators: Iterable[Person] = (),
    guidelines: str = "",
) -> Space:
    if not created_by.has_role(Role.FACILITATOR) or created_by.organisation_id != organisation.pk:
        raise PermissionDenied("Facilitators create spaces.")
    space = Space(
        organisation=organisation,
        name=name.strip(),
        slug=Space.unique_slug_for(organisation, name),
        description=description,
        audience=audience,
        created_by=created_by,
    )
    if guidelines.strip():
        space.guidelines = guidelines.strip()
    _check_audience(space, organisation, cohort, group)
    if Space.objects.filter(organisation=organisation, name__iexact=space.name).exists():
        raise ValidationError({"name": "A space with this name already exists."})
    if space.is_led_by(created_by):
        space.opened_to_group_at = timezone.now()
    space.full_clean()
    space.save()
    leaders = _check_facilitators(organisation, facilitators) or [created_by]
    space.facilitators.set(leaders)
    if space.awaits_group:
        assert space.group is not None
        for lead in _leads(space.group).select_related("person"):
            notify(
                person=lead.person,
                kind=Notification.Kind.OTHER,
                summary=f"{created_by.chosen_name} proposed a space for {space.group.name}. "
                "Its members see it only if you open it to them.",
                url=space.get_absolute_url(),
                space=space,
            )
    return space


def _leads(group: CommunityGroup) -> models.QuerySet[GroupMembership]:
    return GroupMembership.objects.filter(group=group, is_lead=True)


@transaction.atomic
def open_space_to_group(*, space: Space, lead: Person) -> Space:
    """A lead of the group agrees to the space: from now on the group's members see it."""
    if not space.is_led_by(lead):
        raise PermissionDenied("Only the group's leads open a space to its members.")
    if space.awaits_group:
        space.opened_to_group_at = timezone.now()
        space.save(update_fields=["opened_to_group_at"])
        # The proposal the leads were told of is settled: it is no longer news for any of them.
        Notification.objects.filter(
            space=space, kind=Notification.Kind.OTHER, read_at__isnull=True
        ).update(read_at=space.opened_to_group_at)
        logger.info("space %s opened to its group by a lead", space.pk)
    return space


@transaction.atomic
def update_space(
    *,
    space: Space,
    editor: Person,
    name: str,
    description: str,
    guidelines: str,
    facilitators: Iterable[Person],
    is_archived: bool,
) -> Space:
    if not space.can_moderate(editor):
        raise PermissionDenied("Only this space's facilitators change it.")
    organisation = space.organisation
    if (
        Space.objects.filter(organisation=organisation, name__iexact=name.strip())
        .exclude(pk=space.pk)
        .exists()
    ):
        raise ValidationError({"name": "A space with this name already exists."})
    leaders = _check_facilitators(organisation, facilitators)
    if not leaders:
        raise ValidationError({"facilitators": "A space needs at least one facilitator."})
    space.name = name.strip()
    space.description = description
    space.guidelines = guidelines.strip() or space.guidelines
    space.is_archived = is_archived
    space.full_clean()
    space.save()
    space.facilitators.set(leaders)
    return space


def accept_guidelines(*, space: Space, person: Person) -> None:
    if not can_view(person, space):
        raise PermissionDenied("Not a space you can see.")
    try:
        with transaction.atomic():
            GuidelinesAcceptance.objects.get_or_create(space=space, person=person)
    except IntegrityError:
        pass  # accepted twice at once: once is enough


# --- posting ---------------------------------------------------------------------------------


def _check_can_post(space: Space, person: Person) -> None:
    if not can_view(person, space):
        raise PermissionDenied("Not a space you can see.")
    if space.is_archived:
        raise PermissionDenied("This space is archived and takes no new posts.")
    pause = PostingPause.objects.active().filter(space=space, person=person).first()
    if pause is not None:
        raise PermissionDenied(
            f"A facilitator has paused your posting in this space. Their reason: {pause.reason}"
        )
    if not space.has_accepted_guidelines(person):
        raise GuidelinesNeeded
    recent = Post.objects.filter(
        author=person, created_at__gte=timezone.now() - POST_WINDOW
    ).count()
    if recent >= POST_LIMIT:
        minutes = int(POST_WINDOW.total_seconds() // 60)
        raise RateLimited(
            f"You have posted {recent} times in the last {minutes} minutes. "
            f"Take a breather and try again in a few minutes; your text is still here."
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
    return [p for p in people if can_view(p, space)]


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
    thread = post.thread
    author = post.author
    name = author.chosen_name if author else "Someone"
    url = post.get_absolute_url()
    told: set[int] = {author.pk} if author else set()
    for person in mentioned:
        if person.pk in told or (thread.is_withheld and not can_view(person, thread)):
            continue
        told.add(person.pk)
        notify(
            person=person,
            kind=Notification.Kind.MENTION,
            summary=f"{name} mentioned you in “{thread.title}”",
            url=url,
            space=post.space,
        )
    followers = Person.objects.filter(
        pk__in=Follow.objects.filter(thread=thread).values("person_id")
    ).exclude(pk__in=told)
    for person in followers:
        if thread.is_withheld and not can_view(person, thread):
            continue  # a withheld thread's title reaches only those who may still open it
        notify(
            person=person,
            kind=Notification.Kind.REPLY,
            summary=f"{name} replied in “{thread.title}”",
            url=url,
            space=post.space,
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


def _write_post(*, thread: Thread, author: Person, body: str, now: object) -> Post:
    named = _named_people(thread.space, body)
    mentioned = _who_can_see(thread.space, named)
    post = Post(
        space=thread.space,
        thread=thread,
        author=author,
        body=body,
        body_html=_render(body, named),
        created_at=now,  # type: ignore[misc]
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
            f"This thread is locked. The facilitator's reason: {thread.lock_reason}"
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
        raise PermissionDenied("Only the author edits a post.")
    if post.thread.is_locked:
        raise PermissionDenied("This thread is locked.")
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
    new = [p for p in mentioned if p.pk not in already]
    Mention.objects.bulk_create([Mention(post=post, person=p) for p in new])
    for person in new:
        if person.pk != editor.pk:
            notify(
                person=person,
                kind=Notification.Kind.MENTION,
                summary=f"{editor.chosen_name} mentioned you in “{post.thread.title}”",
                url=post.get_absolute_url(),
                space=post.space,
            )
    return post


def toggle_reaction(*, post: Post, person: Person, kind: str) -> bool:
    """Adds the reaction, or takes it back if it was there. True when it is now on."""
    if kind not in Reaction.Kind.values:
        raise ValidationError("Choose one of the reactions offered.")
    if not can_view(person, post) or not post.is_shown:
        raise PermissionDenied("Not a post you can react to.")
    deleted, _ = Reaction.objects.filter(post=post, person=person, kind=kind).delete()
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
        raise PermissionDenied("Not a thread you can see.")
    if follow:
        try:
            with transaction.atomic():
                _follow(thread, person)
        except IntegrityError:
            pass
    else:
        Follow.objects.filter(thread=thread, person=person).delete()


def record_read(*, thread: Thread, person: Person) -> None:
    updated = ThreadRead.objects.filter(thread=thread, person=person).update(
        last_read_at=timezone.now()
    )
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


# --- moderation ------------------------------------------------------------------------------


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
        raise PermissionDenied("Only this space's facilitators moderate it.")


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why, in a sentence. The author will see it."})
    return reason


@transaction.atomic
def flag_post(*, post: Post, person: Person, reason: str) -> Flag:
    if not can_view(person, post) or not post.is_shown:
        raise PermissionDenied("Not a post you can flag.")
    if post.author_id == person.pk:
        raise ValidationError({"reason": "You can edit your own post instead of flagging it."})
    reason = _require_reason(reason)
    recent = Flag.objects.filter(
        flagged_by=person, created_at__gte=timezone.now() - FLAG_WINDOW
    ).count()
    if recent >= FLAG_LIMIT:
        raise RateLimited(
            f"You have flagged {recent} posts in the last hour. A facilitator will look at "
            "them; if something urgent is happening, contact a facilitator directly."
        )
    flag, created = Flag.objects.get_or_create(
        post=post, flagged_by=person, defaults={"reason": reason}
    )
    if not created:
        raise ValidationError({"reason": "You have already flagged this post."})
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
        _log(
            space=post.space,
            actor=None,
            kind=ModerationAction.Kind.HOLD,
            reason=f"{FLAGS_TO_HOLD} people flagged it.",
            post=post,
            thread=post.thread,
            subject=post.author,
        )
        for facilitator in post.space.facilitators.all():
            notify(
                person=facilitator,
                kind=Notification.Kind.MODERATION,
                summary=f"A post in {post.space.name} is held after several flags",
                url=reverse_queue(post.space),
                space=post.space,
            )
    return flag


def reverse_queue(space: Space) -> str:
    from django.urls import reverse

    return reverse("community_queue", args=[space.pk])


def _opens_its_thread(post: Post) -> bool:
    first = (
        Post.objects.filter(thread_id=post.thread_id)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    return first == post.pk


def _keep_thread_in_step(post: Post) -> bool:
    """A thread whose opening post is hidden or held is withheld as a whole, title and all
    (see visibility.py); shown again with it. True when the post opens its thread."""
    if not _opens_its_thread(post):
        return False
    withheld = post.status != Post.Status.SHOWN
    Thread.objects.filter(pk=post.thread_id).update(is_withheld=withheld)
    post.thread.is_withheld = withheld
    return True


def _tell_flaggers(post: Post, flags: Sequence[Flag], *, moderator: Person, hidden: bool) -> None:
    """Each person whose flag this decision closes learns the outcome, never the
    facilitator's reason (it is written for the author) nor who else flagged."""
    space = post.space
    for person in {flag.flagged_by_id: flag.flagged_by for flag in flags}.values():
        if person.pk == moderator.pk:
            continue
        if hidden:
            summary = (
                f"A post you flagged in {space.name} was hidden by a facilitator. "
                "Thank you for speaking up."
            )
            url = space.get_absolute_url()
        else:
            summary = (
                f"A facilitator reviewed a post you flagged in {space.name} and kept it. "
                "Thank you for speaking up."
            )
            url = post.get_absolute_url()
        notify(
            person=person,
            kind=Notification.Kind.FLAG_OUTCOME,
            summary=summary,
            url=url,
            space=space,
        )


def _close_flags(post: Post) -> list[Flag]:
    flags = list(
        Flag.objects.filter(post=post, resolved_at__isnull=True).select_related("flagged_by")
    )
    Flag.objects.filter(pk__in=[flag.pk for flag in flags]).update(resolved_at=timezone.now())
    return flags


def _tell_author(post: Post, summary: str) -> None:
    if post.author is not None:
        notify(
            person=post.author,
            kind=Notification.Kind.MODERATION,
            summary=summary,
            url=post.get_absolute_url(),
            space=post.space,
        )


@transaction.atomic
def hide_post(*, post: Post, moderator: Person, reason: str) -> Post:
    _require_moderator(post.space, moderator)
    reason = _require_reason(reason)
    post.status = Post.Status.HIDDEN
    post.moderation_reason = reason
    post.save(update_fields=["status", "moderation_reason"])
    opening = _keep_thread_in_step(post)
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
            f"A facilitator hid the opening post of your thread “{post.thread.title}”, so "
            f"only you and the facilitators see the thread. Their reason: {reason}",
        )
    else:
        _tell_author(post, f"A facilitator hid your post in “{post.thread.title}”: {reason}")
    _tell_flaggers(post, flags, moderator=moderator, hidden=True)
    return post


@transaction.atomic
def restore_post(*, post: Post, moderator: Person, reason: str) -> Post:
    """Shows the post again (or keeps it shown) and closes the flags on it."""
    _require_moderator(post.space, moderator)
    reason = _require_reason(reason)
    was_shown = post.is_shown
    post.status = Post.Status.SHOWN
    post.moderation_reason = ""
    post.save(update_fields=["status", "moderation_reason"])
    _keep_thread_in_step(post)
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
        _tell_author(post, f"A facilitator restored your post in “{post.thread.title}”: {reason}")
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
        verb = "locked" if locked else "unlocked"
        notify(
            person=thread.author,
            kind=Notification.Kind.MODERATION,
            summary=f"A facilitator {verb} your thread “{thread.title}”: {reason}",
            url=thread.get_absolute_url(),
            space=thread.space,
        )
    return thread


@transaction.atomic
def pause_posting(*, space: Space, person: Person, moderator: Person, reason: str) -> PostingPause:
    _require_moderator(space, moderator)
    reason = _require_reason(reason)
    if person.pk == moderator.pk:
        raise ValidationError({"reason": "You cannot pause your own posting."})
    if not can_view(person, space):
        raise PermissionDenied("That person is not in this space.")
    existing = PostingPause.objects.active().filter(space=space, person=person).first()
    if existing is not None:
        raise ValidationError({"reason": "Their posting here is already paused."})
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
    notify(
        person=person,
        kind=Notification.Kind.MODERATION,
        summary=f"A facilitator paused your posting in {space.name}: {reason}",
        url=space.get_absolute_url(),
        space=space,
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
    notify(
        person=pause.person,
        kind=Notification.Kind.MODERATION,
        summary=f"You can post in {pause.space.name} again: {reason}",
        url=pause.space.get_absolute_url(),
        space=pause.space,
    )


# --- polls -----------------------------------------------------------------------------------

POLL_MIN_ANONYMOUS = 5


@transaction.atomic
def create_poll(
    *,
    space: Space,
    created_by: Person,
    question: str,
    options: Sequence[str],
    kind: str = Poll.Kind.SINGLE,
    is_anonymous: bool = True,
) -> Poll:
    _check_can_post(space, created_by)
    labels = [o.strip() for o in options if o.strip()]
    if len(labels) < 2:
        raise ValidationError({"options": "Give at least two options, one a line."})
    if len(labels) > 12:
        raise ValidationError({"options": "Twelve options at most keep a poll easy to answer."})
    if len({label.lower() for label in labels}) != len(labels):
        raise ValidationError({"options": "Each option once, please."})
    poll = Poll(
        space=space,
        question=question.strip(),
        kind=kind,
        is_anonymous=is_anonymous,
        created_by=created_by,
    )
    poll.full_clean()
    poll.save()
    PollOption.objects.bulk_create(
        [PollOption(poll=poll, label=label, position=n) for n, label in enumerate(labels)]
    )
    return poll


@transaction.atomic
def vote(*, poll: Poll, person: Person, options: Sequence[PollOption]) -> None:
    if not can_view(person, poll):
        raise PermissionDenied("Not a poll you can see.")
    if poll.closed_at is not None:
        raise ValidationError({"options": "This poll has closed."})
    chosen = list({o.pk: o for o in options}.values())
    if not chosen:
        raise ValidationError({"options": "Choose an option."})
    if any(o.poll_id != poll.pk for o in chosen):
        raise ValidationError({"options": "Choose from this poll's options."})
    if poll.kind == Poll.Kind.SINGLE and len(chosen) > 1:
        raise ValidationError({"options": "Choose one option."})
    try:
        with transaction.atomic():
            PollResponse.objects.create(poll=poll, person=person)
    except IntegrityError:
        raise ValidationError({"options": "You have already voted in this poll."}) from None
    who = None if poll.is_anonymous else person
    # Answers are shuffled by their random ids; an anonymous answer has no person and no time.
    PollAnswer.objects.bulk_create([PollAnswer(poll=poll, option=o, person=who) for o in chosen])


@dataclass(frozen=True)
class PollResult:
    label: str
    votes: int
    share: int  # whole percent of voters
    voters: tuple[str, ...]  # names, only in a poll that is not anonymous


@dataclass(frozen=True)
class PollResults:
    voters: int
    shown: bool
    rows: tuple[PollResult, ...]
    still_needed: int


def poll_results(poll: Poll) -> PollResults:
    voters = PollResponse.objects.filter(poll=poll).count()
    needed = max(0, POLL_MIN_ANONYMOUS - voters) if poll.is_anonymous else 0
    if needed or voters == 0:
        return PollResults(voters=voters, shown=False, rows=(), still_needed=needed)
    counts = dict(
        PollAnswer.objects.filter(poll=poll)
        .values("option")
        .annotate(n=Count("pk"))
        .values_list("option", "n")
    )
    names: dict[int, list[str]] = {}
    if not poll.is_anonymous:
        for option_id, name in PollAnswer.objects.filter(poll=poll).values_list(
            "option_id", "person__chosen_name"
        ):
            names.setdefault(option_id, []).append(name or "Someone")
    rows = tuple(
        PollResult(
            label=o.label,
            votes=counts.get(o.pk, 0),
            share=round(100 * counts.get(o.pk, 0) / voters),
            voters=tuple(sorted(names.get(o.pk, []))),
        )
        for o in poll.options.all()
    )
    return PollResults(voters=voters, shown=True, rows=rows, still_needed=0)


# --- equal voice -----------------------------------------------------------------------------

BALANCE_DAYS = 90


@dataclass(frozen=True)
class Balance:
    posts: int
    posters: int
    top_tenth_people: int
    top_tenth_share: int  # whole percent of posts written by the most active tenth
    readers_only: int  # opened a thread here but never posted
    days: int


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
    readers_only = (
        ThreadRead.objects.filter(space=space)
        .exclude(person_id__in=all_time_posters)
        .values("person")
        .distinct()
        .count()
    )
    return Balance(
        posts=total,
        posters=len(per_person),
        top_tenth_people=top,
        top_tenth_share=share,
        readers_only=readers_only,
        days=BALANCE_DAYS,
    )
