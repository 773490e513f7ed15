"""Pseudonymous subject keys: an HMAC of a person's id with a key from the data directory.

The key file (`insights_key`, mode 600) never enters the database, so the growth table
alone cannot be joined back to a person; with the key, the app can still find and erase a
person's rows when they leave.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from django.conf import settings

KEY_FILE = "insights_key"


def _key_path() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


@cache
def _key(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # Created private from the start, so the key is never briefly world-readable.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first
        else:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 64:
        raise ValueError(f"The insights key in {path} is too short.")
    return bytes.fromhex(text)


def subject_key(person_id: int) -> str:
    """64 hex characters; the same person always gets the same key."""
    key = _key(_key_path())
    return hmac.new(key, f"person:{person_id}".encode("ascii"), hashlib.sha256).hexdigest()
