"""The chat app's part of "Download my data" and of erasing a person: their links to chat
accounts, where they want reminders, and which reminders went where (never their text)."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import ChatDelivery, ChatLink, Destination, ReminderDestination


def _chat(person: Person) -> dict[str, Any]:
    destination = ReminderDestination.objects.filter(person=person).first()
    return {
        "chat": {
            "reminders_by": destination.get_destination_display()
            if destination
            else str(Destination.EMAIL.label),
            "links": [
                {
                    "service": link.get_platform_display(),
                    "workspace": link.external_team_id,
                    "account": link.external_user_id,
                    "confirmed_at": when(link.confirmed_at),
                }
                for link in ChatLink.objects.filter(person=person).order_by("platform")
            ],
            "deliveries": [
                {
                    "service": row.get_platform_display(),
                    "kind": row.get_kind_display(),
                    "period": row.period or None,
                    "status": row.get_status_display(),
                    "problem": row.problem or None,
                    "at": when(row.created_at),
                }
                for row in ChatDelivery.objects.filter(person=person).order_by("created_at", "pk")
            ],
        }
    }


EXPORT = ExportSection(
    app="chat",
    template="chat/my_data_export.html",
    covers=(ChatLink, ReminderDestination, ChatDelivery),
    build=_chat,
)
# Codes shown in chat name no person, and expire within minutes.
ERASURE = Erasure(app="chat", covers=(ChatLink, ReminderDestination, ChatDelivery))
