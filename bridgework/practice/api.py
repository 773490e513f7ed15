"""What other apps use of practice: committing to a tip, a person's time zone and today, the
commitment and check-in rows they show or count, and the self-assessment's items and scores
(insights and the demo). They import this module and nothing else from here.
"""

from __future__ import annotations

from .assessment import DEFENSES, ITEMS, practice_scores
from .models import Assessment, CheckIn, Commitment, PracticeProfile
from .services import commit, local_today, profile_for, time_zone_of

__all__ = [
    "DEFENSES",
    "ITEMS",
    "Assessment",
    "CheckIn",
    "Commitment",
    "PracticeProfile",
    "commit",
    "local_today",
    "practice_scores",
    "profile_for",
    "time_zone_of",
]
