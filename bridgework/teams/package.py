"""The Teams app package an admin uploads to Teams: a zip of manifest.json and two icons.

Teams wants a 192 by 192 colour icon and a 32 by 32 outline icon (white on transparent).
Both draw the same small bridge: a deck across two piers.
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings

from bridgework.lib import png

from .models import TeamsBot

MANIFEST_SCHEMA = (
    "https://developer.microsoft.com/en-us/json-schemas/teams/v1.17/MicrosoftTeams.schema.json"
)
ACCENT = (0x1F, 0x4E, 0x79, 255)
WHITE = (255, 255, 255, 255)
CLEAR = (0, 0, 0, 0)

COMMANDS = [
    ("pick one thing", "One small action suggested for you, to commit to or skip."),
    ("this week", "Your commitments, with buttons to check in."),
    ("link", "Link this Teams account to your Bridgework profile."),
    ("help", "What I can do."),
]


def _is_bridge(x: int, y: int, size: int) -> bool:
    """The bridge, scaled to a square of `size`: a deck, two piers and an arch between."""
    u, v = x / size, y / size
    deck = 0.34 <= v <= 0.44 and 0.12 <= u <= 0.88
    piers = 0.44 <= v <= 0.80 and (0.22 <= u <= 0.32 or 0.68 <= u <= 0.78)
    # The arch: a band under the deck between the piers.
    dx, dy = (u - 0.5) / 0.18, (v - 0.80) / 0.30
    ring = 0.32 <= u <= 0.68 and 0.44 <= v <= 0.80 and 0.75 <= dx * dx + dy * dy <= 1.0
    return deck or piers or ring


def colour_icon() -> bytes:
    return png.draw(192, 192, lambda x, y: WHITE if _is_bridge(x, y, 192) else ACCENT)


def outline_icon() -> bytes:
    return png.draw(32, 32, lambda x, y: WHITE if _is_bridge(x, y, 32) else CLEAR)


def manifest(bot: TeamsBot) -> dict[str, Any]:
    base = settings.BASE_URL
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": "1.17",
        "version": "1.0.0",
        "id": bot.app_id,
        "developer": {
            "name": bot.organisation.name[:32] or "Bridgework",
            "websiteUrl": f"{base}/",
            "privacyUrl": f"{base}/",
            "termsOfUseUrl": f"{base}/",
        },
        "name": {"short": "Bridgework", "full": f"Bridgework for {bot.organisation.name}"[:100]},
        "description": {
            "short": "Reminders, check-ins and one small action, where you already are.",
            "full": "Bridgework reminds you of the commitments you made in your allyship "
            "program and lets you check in with one tap. Ask it to pick one thing for you, "
            "or to show this week. It never shows your journal, notes or anything private.",
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#{:02X}{:02X}{:02X}".format(*ACCENT[:3]),
        "bots": [
            {
                "botId": bot.app_id,
                "scopes": ["personal"],
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": ["personal"],
                        "commands": [
                            {"title": title, "description": description}
                            for title, description in COMMANDS
                        ],
                    }
                ],
            }
        ],
        "permissions": ["identity", "messageTeamMembers"],
        "validDomains": [urlsplit(base).hostname or "localhost"],
    }


def build(bot: TeamsBot) -> bytes:
    """The zip Teams takes under Apps → Manage your apps → Upload an app."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("manifest.json", json.dumps(manifest(bot), indent=2))
        package.writestr("color.png", colour_icon())
        package.writestr("outline.png", outline_icon())
    return buffer.getvalue()
