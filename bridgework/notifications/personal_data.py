"""The notifications app's part of erasing a person: what they were told and how often they
wanted a digest go with their row. Neither is something they wrote, so neither is exported."""

from __future__ import annotations

from bridgework.accounts.registry import Erasure

from .models import DigestPreference, Notification

ERASURE = Erasure(app="notifications", covers=(Notification, DigestPreference))
