"""What other apps use of the shared resources."""

from __future__ import annotations

from bridgework.accounts.models import Organisation
from bridgework.lib.prepared import prepared

from .models import Resource, ResourceQuerySet

__all__ = ["suggestions_to_vet"]


def suggestions_to_vet(organisation: Organisation) -> int:
    """How many suggested resources wait for a facilitator's decision."""
    return _pending_in(organisation_id=organisation.pk).count()


@prepared
def _pending_in(*, organisation_id: int) -> ResourceQuerySet:
    return Resource.objects.pending_in(Organisation(pk=organisation_id))
