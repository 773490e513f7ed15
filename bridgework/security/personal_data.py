"""The security app's part of erasing a person: their second factors (authenticator apps,
security keys, recovery codes) go with their row."""

from __future__ import annotations

from allauth.mfa.models import Authenticator

from bridgework.accounts.registry import Erasure

ERASURE = Erasure(app="security", covers=(Authenticator,))
