"""The provisioning app's part of erasing a person: tokens they made keep working for the
organisation, without a maker's name; the identity provider's identifier for them goes."""

from __future__ import annotations

from bridgework.accounts.registry import Erasure

from .models import ExternalIdentity, ProvisioningToken

ERASURE = Erasure(app="provisioning", covers=(ProvisioningToken, ExternalIdentity))
