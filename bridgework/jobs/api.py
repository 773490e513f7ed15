"""What apps use of the background machinery: the e-mail outbox (queue a message in the
caller's transaction, send it after), the question planners ask before queueing a task
again, and the stuck-task report. They import this module and nothing else from jobs.
"""

from __future__ import annotations

from .leases import silent_workers_tasks
from .outbox import is_queued as is_email_queued
from .outbox import queue as queue_email
from .outbox import send as send_email
from .queue import waiting_arguments

__all__ = [
    "is_email_queued",
    "queue_email",
    "send_email",
    "silent_workers_tasks",
    "waiting_arguments",
]
