"""What other apps use of cohorts: the cohort and membership rows they scope by, the session
and pulse rows insights counts, creating a cohort (the demo), answering a session's pulse
(and whether the person's month of feedback is full, so chat offers no pulse whose answer
would be refused) and the session reminder's re-check and e-mail (chat). They import this
module and nothing else from here.
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
from .reminders import queue_email as queue_session_reminder_email
from .reminders import still_due as session_reminder_still_due
from .services import (
    FEEDBACK_MONTH_FULL,
    PulseStanding,
    answer_pulse,
    create_cohort,
    has_answered,
    may_answer,
    month_of_feedback_full,
    pulse_refusal,
    pulse_standing,
    reads_pulse_results,
)

__all__ = [
    "FEEDBACK_MONTH_FULL",
    "PULSE_OPEN_DAYS",
    "Attendance",
    "Cohort",
    "Membership",
    "PulseAnswer",
    "PulseResponse",
    "PulseStanding",
    "Session",
    "answer_pulse",
    "create_cohort",
    "has_answered",
    "may_answer",
    "month_of_feedback_full",
    "pulse_refusal",
    "pulse_standing",
    "queue_session_reminder_email",
    "reads_pulse_results",
    "session_reminder_still_due",
]
