from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from bridgework.accounts.models import Person
from bridgework.accounts.services import record_settings_change

from .models import MFAPolicy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@transaction.atomic
def save_mfa_policy(*, policy: MFAPolicy, actor: Person, changed: list[StrOrPromise]) -> None:
    """Save the organisation's MFA policy and audit each rule that changed, by its label."""
    policy.full_clean()
    policy.save()
    for setting in changed:
        record_settings_change(organisation=policy.organisation, actor=actor, setting=setting)
