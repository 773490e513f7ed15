from __future__ import annotations

from django.db import transaction
from django.utils.functional import Promise

from bridgework.accounts.models import Person
from bridgework.accounts.services import record_settings_change

from .models import MFAPolicy


@transaction.atomic
def save_mfa_policy(*, policy: MFAPolicy, actor: Person, changed: list[str | Promise]) -> None:
    """Save the organisation's MFA policy and audit each rule that changed, by its label."""
    policy.full_clean()
    policy.save()
    for setting in changed:
        record_settings_change(organisation=policy.organisation, actor=actor, setting=setting)
