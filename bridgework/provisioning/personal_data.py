"""The provisioning app's part of erasing a person: tokens they made keep working for the
organisation, without a maker's name."""

from __future__ import annotations

from bridgework.accounts.registry import Erasure

from .models import ProvisioningToken

ERASURE = Erasure(app="provisioning", covers=(ProvisioningToken,))
