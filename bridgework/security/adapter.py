from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from bridgework.accounts.models import Person

from .models import must_use_mfa


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone the organisation requires to use MFA keeps at least one second factor
        (an authenticator app or a security key; recovery codes only back those up)."""
        person = authenticator.user
        if not isinstance(person, Person) or not must_use_mfa(person):
            return True
        factors = Authenticator.objects.filter(
            user=person, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        )
        return bool(factors.exclude(pk=authenticator.pk).exists())
