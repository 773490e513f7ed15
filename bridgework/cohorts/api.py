"""What other apps use of cohorts: the cohort and membership rows they scope by, the session
and pulse rows insights counts, and creating a cohort (the demo). They import this module
and nothing else from here.
"""

from __future__ import annotations

from .models import (
    PULSE_OPEN_DAYS,
    Attendance,
    Cohort,
    Membership,
    PulseAnswer,
    PulseResponse,
    Session,
)
from .services import create_cohort

__all__ = [
    "PULSE_OPEN_DAYS",
    "Attendance",
    "Cohort",
    "Membership",
    "PulseAnswer",
    "PulseResponse",
    "Session",
    "create_cohort",
]
