"""Writes of the community app: spaces, threads, posts, reactions, follows, flags,
moderation, polls. Keyword-only, validated, atomic. One module per part of the domain; this
package names what the views and other modules call.

Every write checks the visibility rule again, so a stale page cannot act on a space the
person has just left. Post text never goes to a log; moderation logs keep ids and reasons.
"""

from __future__ import annotations

from .moderation import (
    BALANCE_DAYS,
    FLAG_LIMIT,
    FLAG_WINDOW,
    FLAGS_TO_HOLD,
    Balance,
    flag_post,
    hide_post,
    lift_pause,
    lock_thread,
    participation_balance,
    pause_posting,
    restore_post,
    reverse_queue,
)
from .polls import (
    POLL_MIN_ANONYMOUS,
    PollResult,
    PollResults,
    create_poll,
    poll_results,
    vote,
)
from .spaces import (
    accept_guidelines,
    create_space,
    open_space_to_group,
    update_space,
)
from .threads import (
    MAX_MENTIONS,
    MENTION_RE,
    NUDGE_POSTS,
    NUDGE_WINDOW,
    POST_LIMIT,
    POST_WINDOW,
    GuidelinesNeeded,
    RateLimited,
    edit_post,
    mention_handle,
    needs_nudge,
    record_read,
    reply,
    search_posts,
    set_follow,
    start_thread,
    toggle_reaction,
)

__all__ = [
    "BALANCE_DAYS",
    "FLAGS_TO_HOLD",
    "FLAG_LIMIT",
    "FLAG_WINDOW",
    "MAX_MENTIONS",
    "MENTION_RE",
    "NUDGE_POSTS",
    "NUDGE_WINDOW",
    "POLL_MIN_ANONYMOUS",
    "POST_LIMIT",
    "POST_WINDOW",
    "Balance",
    "GuidelinesNeeded",
    "PollResult",
    "PollResults",
    "RateLimited",
    "accept_guidelines",
    "create_poll",
    "create_space",
    "edit_post",
    "flag_post",
    "hide_post",
    "lift_pause",
    "lock_thread",
    "mention_handle",
    "needs_nudge",
    "open_space_to_group",
    "participation_balance",
    "pause_posting",
    "poll_results",
    "record_read",
    "reply",
    "restore_post",
    "reverse_queue",
    "search_posts",
    "set_follow",
    "start_thread",
    "toggle_reaction",
    "update_space",
    "vote",
]
