"""What other apps use of insights: the safety pulses waiting for a person (the home page)
and the release rows (the status report). They import this module and nothing else from here.
"""

from __future__ import annotations

from .models import Release
from .services import open_pulses_for

__all__ = ["Release", "open_pulses_for"]
