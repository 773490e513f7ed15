from __future__ import annotations

from django.db import transaction

from bridgework.accounts.models import Organisation, Person
from bridgework.accounts.services import record_settings_change

from .models import ProvisioningToken


@transaction.atomic
def make_token(
    *, organisation: Organisation, actor: Person, name: str
) -> tuple[ProvisioningToken, str]:
    token, secret = ProvisioningToken.issue(organisation=organisation, name=name, created_by=actor)
    record_settings_change(
        organisation=organisation, actor=actor, setting=f"Provisioning token made: {name}"[:80]
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ProvisioningToken, actor: Person) -> None:
    token.revoke()
    record_settings_change(
        organisation=token.organisation,
        actor=actor,
        setting=f"Provisioning token revoked: {token.name}"[:80],
    )
