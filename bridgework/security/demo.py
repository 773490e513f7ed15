"""The demo organisation asks no one for MFA, so its printed sign-ins work at once; a program
admin trying the demo can turn the requirement on under Settings → Security."""

from __future__ import annotations

from bridgework.accounts.models import Organisation

from .models import MFAPolicy


def create(organisation: Organisation) -> None:
    MFAPolicy.objects.create(organisation=organisation, program_admins=False, facilitators=False)
