"""The Slack app holds one thing about a person: that they connected a workspace. That
row stays with the organisation, without their name."""

from __future__ import annotations

from bridgework.accounts.registry import Erasure

from .models import SlackWorkspace

ERASURE = Erasure(app="slack", covers=(SlackWorkspace,))
