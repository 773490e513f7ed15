"""The kinds of notification the resources app sends (declared with the notifications app)."""

from __future__ import annotations

from bridgework.notifications.kinds import Kind

REVIEWED = Kind("resource_reviewed", "Your resource was reviewed")
