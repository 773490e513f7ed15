"""The sign-in app's part of erasing a person: the link to their account at the identity
provider goes with their row, and an organisation whose break-glass admin is erased is left
without one until an admin names another (saving the sign-in settings with "SSO only" asks
for one)."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount

from bridgework.accounts.registry import Erasure

from .models import IdentityProvider

ERASURE = Erasure(app="sso", covers=(IdentityProvider, SocialAccount))
