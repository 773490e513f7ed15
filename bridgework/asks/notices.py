"""The kinds of notification the asks app sends (declared with the notifications app)."""

from __future__ import annotations

from bridgework.notifications.kinds import Kind

APPROVAL = Kind("ask_approval", "Wording of an ask to approve, or its outcome")
