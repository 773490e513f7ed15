"""What other apps use of practice: committing to a tip and checking in, a person's time zone
and today, the commitment and check-in rows they show or count, the self-assessment's items
and scores (insights and the demo), "pick one thing" and the reminder re-check and e-mail
(chat). They import this module and nothing else from here.
"""

from __future__ import annotations

from .assessment import DEFENSES, ITEMS, practice_scores, weakest_practice
from .models import Assessment, CheckIn, Commitment, PracticeProfile
from .reminders import queue_email as queue_reminder_email
from .reminders import still_due as reminder_still_due
from .services import (
    check_in,
    commit,
    latest_assessment,
    local_today,
    profile_for,
    unlocked_level,
)
from .suggest import Preferences as TipPreferences
from .suggest import pick as pick_tip

__all__ = [
    "DEFENSES",
    "ITEMS",
    "Assessment",
    "CheckIn",
    "Commitment",
    "PracticeProfile",
    "TipPreferences",
    "check_in",
    "commit",
    "latest_assessment",
    "local_today",
    "pick_tip",
    "practice_scores",
    "profile_for",
    "queue_reminder_email",
    "reminder_still_due",
    "unlocked_level",
    "weakest_practice",
]
