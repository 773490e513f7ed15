"""The sign-in app's part of erasing a person: the link to their account at the identity
provider goes with their row.

An organisation that signs in only through its identity provider keeps one break-glass
program admin with a password. Their right to delete their account comes first, so erasing
them is not refused: it turns "sign in only through the identity provider" off for the
organisation (passwords work again there, and the change trail says why) until another
program admin turns it back on with a new break-glass admin. The "Delete my account" page
says so before they confirm."""

from __future__ import annotations

from allauth.socialaccount.models import SocialAccount
from django.utils.translation import gettext

from bridgework.accounts.models import Person
from bridgework.accounts.registry import Erasure
from bridgework.accounts.services import record_settings_change

from .models import IdentityProvider, PendingLink

SSO_ONLY_TURNED_OFF = "SSO only turned off: the break-glass admin deleted their account"


def _guarded_by(person: Person) -> list[IdentityProvider]:
    return list(
        IdentityProvider.objects.filter(break_glass_admin=person, sso_only=True).select_related(
            "organisation"
        )
    )


def break_glass_consequence(person: Person) -> str:
    for provider in _guarded_by(person):
        return gettext(
            "You are %(organisation)s's break-glass program admin, the one person who keeps a "
            "password while everyone signs in through %(provider)s. Deleting your account "
            "turns “Sign in only through the identity provider” off, so passwords work again "
            "there until another program admin turns it back on and names a new break-glass "
            "admin."
        ) % {"organisation": provider.organisation.name, "provider": provider.display_name}
    return ""


def release_break_glass(person: Person) -> None:
    for provider in _guarded_by(person):
        provider.sso_only = False
        provider.break_glass_admin = None
        provider.save(update_fields=["sso_only", "break_glass_admin"])
        # Recorded as theirs; the row keeps its place once they are gone (changed_by is
        # set to null), so the other admins see why passwords are back.
        record_settings_change(
            organisation=provider.organisation, actor=person, setting=SSO_ONLY_TURNED_OFF
        )


ERASURE = Erasure(
    app="sso",
    covers=(IdentityProvider, SocialAccount, PendingLink),
    step=release_break_glass,
    consequence=break_glass_consequence,
)
