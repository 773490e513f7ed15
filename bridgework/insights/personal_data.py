"""How the insights app lets an erased person go. It holds nothing a person wrote, so it has
no part in "Download my data"."""

from __future__ import annotations

from bridgework.accounts.registry import Erasure

from .models import AuditEntry, GrowthScore, PrivacyBudget, SafetyPulse, SafetyResponse
from .services import forget_person

# Growth rows carry a pseudonym, not a foreign key: forget_person finds and removes them.
# The record of who answered a safety pulse goes with the person (the answers never named
# anyone); pulses, budgets and audit rows they made stay without their name.
ERASURE = Erasure(
    app="insights",
    covers=(GrowthScore, SafetyResponse, SafetyPulse, PrivacyBudget, AuditEntry),
    step=forget_person,
)
