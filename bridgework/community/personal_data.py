"""The community app's part of "Download my data" and of erasing a person.

Only what the person wrote: the titles of threads they started, their posts and replies
with earlier wordings, their reasons for flagging, the polls they asked and, for a
facilitator, the reasons they gave for moderating. Never another person's words: a reply in
someone else's thread comes without that thread's title.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import (
    Flag,
    Follow,
    GuidelinesAcceptance,
    Mention,
    ModerationAction,
    Poll,
    PollAnswer,
    PollOption,
    PollResponse,
    Post,
    PostingPause,
    Reaction,
    Space,
    Thread,
    ThreadRead,
)


def _posts(person: Person) -> list[dict[str, Any]]:
    posts = (
        Post.objects.filter(author=person)
        .select_related("thread")
        .prefetch_related("revisions")
        .order_by("created_at", "pk")
    )
    return [
        {
            "written_at": when(post.created_at),
            "edited_at": when(post.edited_at),
            "in_my_thread": post.thread.title if post.thread.author_id == person.pk else None,
            "status": post.get_status_display(),
            "body": post.body,
            "earlier_versions": [
                {"written_at": when(revision.written_at), "body": revision.body}
                for revision in post.revisions.all()
            ],
        }
        for post in posts
    ]


def _community(person: Person) -> dict[str, Any]:
    polls = Poll.objects.filter(created_by=person).prefetch_related(
        Prefetch("options", queryset=PollOption.objects.order_by("position", "pk"))
    )
    return {
        "community": {
            "threads_started": [
                {"title": thread.title, "started_at": when(thread.created_at)}
                for thread in Thread.objects.filter(author=person).order_by("created_at", "pk")
            ],
            "posts": _posts(person),
            "flags": [
                {"reason": flag.reason, "flagged_at": when(flag.created_at)}
                for flag in Flag.objects.filter(flagged_by=person).order_by("created_at", "pk")
            ],
            "polls_asked": [
                {
                    "question": poll.question,
                    "options": [option.label for option in poll.options.all()],
                    "asked_at": when(poll.created_at),
                }
                for poll in polls.order_by("created_at", "pk")
            ],
            "moderation_reasons": [
                {
                    "action": action.get_kind_display(),
                    "reason": action.reason,
                    "at": when(action.created_at),
                }
                for action in ModerationAction.objects.filter(actor=person).order_by(
                    "created_at", "pk"
                )
            ],
        }
    }


EXPORT = ExportSection(
    app="community",
    template="community/my_data_export.html",
    covers=(Thread, Post, Flag, Poll, ModerationAction),
    build=_community,
)
# What the person wrote for others stays in its place, signed "a former member": their
# threads, posts, polls and moderation decisions (on_delete=SET_NULL). So do the rows that
# others see counted, without the person: their reactions, that they voted in a poll
# (PollResponse) and, in a named poll, what they chose (PollAnswer, shown as a former
# member's). Deleted, a post's or a poll's count would drop by one when they left, and say
# what they had reacted with or voted in; or a named poll's "N votes" would no longer add
# up with its answers. Everything else about them (follows, reads, mentions, flags,
# pauses, notifications, settings) goes with them (on_delete=CASCADE).
ERASURE = Erasure(
    app="community",
    covers=(
        Space,
        GuidelinesAcceptance,
        Thread,
        Post,
        Reaction,
        Follow,
        ThreadRead,
        Mention,
        Flag,
        PostingPause,
        ModerationAction,
        Poll,
        PollResponse,
        PollAnswer,
    ),
)
