"""What other apps use of operations: telling a database outage from any other error and
answering it with the short "back in a moment" page. They import this module and nothing
else from here.
"""

from __future__ import annotations

from .outage import current_error_is_database_outage, database_unavailable

__all__ = ["current_error_is_database_outage", "database_unavailable"]
