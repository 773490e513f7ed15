"""The accounts app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from .models import (
    DataKey,
    GroupInvitation,
    GroupMembership,
    Invitation,
    Person,
    PrivateProfile,
    RoleAssignment,
    SettingsChange,
)
from .registry import Erasure, ExportSection


def when(value: date | datetime | None) -> str | None:
    """Dates and times in every part of the export as ISO 8601, or None."""
    return value.isoformat() if value else None


def _about(person: Person) -> dict[str, Any]:
    profile = PrivateProfile.objects.filter(person=person).first()
    groups = GroupMembership.objects.filter(person=person).order_by("group__name")
    return {
        "about": {
            "name": person.chosen_name,
            "pronouns": person.pronouns,
            "email": person.email,
            "language": person.language or None,
            "time_zone": person.time_zone or None,
            "made_at": when(timezone.now()),
            "intention": profile.intention if profile else None,
            "community_groups": list(groups.values_list("group__name", flat=True)),
        }
    }


EXPORT = ExportSection(
    app="accounts",
    template="accounts/my_data_export.html",
    covers=(Person, PrivateProfile, GroupMembership),
    build=_about,
)

# The rest goes with the person's row: roles, memberships, invitations to them and their
# e-mail addresses are deleted; invitations they sent keep their place without a sender, and
# settings they changed stay in the organisation's audit without a name.
# Their data key is destroyed before anything else (services.erase_person).
ERASURE = Erasure(
    app="accounts",
    covers=(
        PrivateProfile,
        RoleAssignment,
        GroupMembership,
        GroupInvitation,
        Invitation,
        DataKey,
        EmailAddress,
        SettingsChange,
    ),
)
