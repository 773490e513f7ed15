"""The kinds of notification the resources app sends (declared with the notifications app)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from bridgework.notifications.kinds import Kind

REVIEWED = Kind("resource_reviewed", _("Your resource was reviewed"))
