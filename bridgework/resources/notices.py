"""The kinds of notification the resources app sends (declared with the notifications app)."""

from __future__ import annotations

from typing import cast

from django.utils.translation import gettext_lazy as _

from bridgework.notifications.kinds import Kind

REVIEWED = Kind(
    "resource_reviewed",
    # Lazy, so each reader sees it in their language; Kind.label is typed str.
    cast(str, _("Your resource was reviewed")),
)
