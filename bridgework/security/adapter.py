from __future__ import annotations

from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator

from bridgework.accounts.models import Person

from .models import must_use_mfa
from .sealing import open_secret, seal_secret


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

    def encrypt(self, text: str) -> str:
        """allauth hands over each TOTP secret and recovery-code seed before storing it."""
        return seal_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return open_secret(encrypted_text)
