from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from bridgework.accounts.models import Person

from .models import IdentityProvider


def password_refused(person: Person) -> bool:
    """Whether the person's organisation has turned passwords off for them."""
    provider = _provider_of(person)
    return provider is not None and not provider.allows_password_for(person)


def sign_in_instead(person: Person) -> str | None:
    """The organisation's sign-in address, for someone with no password they may use here."""
    provider = _provider_of(person)
    if provider is None:
        return None
    if provider.allows_password_for(person) and person.has_usable_password():
        return None
    return reverse("sso_start", kwargs={"organisation_slug": provider.organisation.slug})


def signs_in_through_the_provider(person: Person) -> bool:
    """Someone whose account is in use but has no password, while their organisation has an
    identity provider: they sign in there. "Forgot your password?" never gives them one, since
    SCIM may change their address and whoever reads it would get the account."""
    return (
        not person.has_usable_password()
        and person.last_login is not None
        and _provider_of(person) is not None
    )


def address_moved_since_last_sign_in(person: Person) -> bool:
    """An account with no password whose address is no longer the one its owner last signed
    in with (or, before their first sign-in, the one it was made for): provisioning moved
    it. A reset link there would give a first password, and the account with whatever it
    holds (a group invitation, a colleague's note, a journal), to whoever reads the new
    address, even once the provider is gone."""
    return (
        not person.has_usable_password()
        and bool(person.signed_in_email)
        and person.signed_in_email.casefold() != person.email.casefold()
    )


def _provider_of(person: Person) -> IdentityProvider | None:
    if person.organisation_id is None:
        return None
    return (
        IdentityProvider.objects.filter(organisation_id=person.organisation_id)
        .select_related("organisation")
        .first()
    )


class SsoOnlyPasswordGate:
    """Listed before the password backend: when an organisation signs in only through its
    identity provider, a password stops working for everyone there but the break-glass
    program admin. Raising PermissionDenied ends Django's authentication at once, so no
    later backend checks the password. It has no `get_user`: it never signs anyone in, and
    Django's test client picks the first backend that has one for `force_login`."""

    def authenticate(self, request: HttpRequest | None, **credentials: Any) -> None:
        email = credentials.get("email") or credentials.get("username")
        if not email or not credentials.get("password"):
            return None
        person = Person.objects.filter(email__iexact=str(email)).first()
        if person is not None and password_refused(person):
            # As long as checking a password takes: answering faster than for an address
            # with no account (which the hasher runs for) would say that this one has one.
            make_password(str(credentials["password"]))
            raise PermissionDenied("This organisation signs in through its identity provider.")
        return None
