"""What other apps use of the shared resources."""

from __future__ import annotations

from bridgework.accounts.models import Organisation

from .models import Resource

__all__ = ["suggestions_to_vet"]


def suggestions_to_vet(organisation: Organisation) -> int:
    """How many suggested resources wait for a facilitator's decision."""
    return Resource.objects.pending_in(organisation).count()
