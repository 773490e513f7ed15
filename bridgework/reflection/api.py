"""What other apps use of reflection: the notes people leave each other (the home page
counts the unread ones). They import this module and nothing else from here.
"""

from __future__ import annotations

from .models import Note

__all__ = ["Note"]
