"""The kinds of notification the community sends (declared with the notifications app)."""

from __future__ import annotations

from bridgework.notifications.kinds import Kind

REPLY = Kind("reply", "A reply in a thread you follow")
MENTION = Kind("mention", "Someone mentioned you")
MODERATION = Kind("moderation", "A facilitator's decision about your post")
FLAG_OUTCOME = Kind("flag_outcome", "What became of a post you flagged")

KINDS = (REPLY, MENTION, MODERATION, FLAG_OUTCOME)
