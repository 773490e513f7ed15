"""Organisation secrets (an OpenID Connect client secret) sealed with the data directory's
master key, the same key that wraps each person's data key.

A sealed value names the master key that sealed it, so one sealed before a rotation can
still be opened while that key is kept.
"""

from __future__ import annotations

from django.conf import settings

from bridgework.lib import crypto


def _associated(purpose: str) -> bytes:
    return f"sso:{purpose}".encode()


def newest_key_id() -> str:
    return str(settings.FIELD_ENCRYPTION_KEYS[0][0])


def seal(plaintext: str, *, purpose: str) -> tuple[str, bytes]:
    """(master key id, ciphertext); `purpose` binds the ciphertext to its row and field."""
    key_id, key = settings.FIELD_ENCRYPTION_KEYS[0]
    return key_id, crypto.wrap_key(
        plaintext.encode(), master_key=key, associated=_associated(purpose)
    )


def unseal(sealed: bytes | memoryview, *, key_id: str, purpose: str) -> str | None:
    """The plaintext, or None when the key is gone or the value was tampered with."""
    key = dict(settings.FIELD_ENCRYPTION_KEYS).get(key_id)
    if key is None or not sealed:
        return None
    try:
        plain = crypto.unwrap_key(bytes(sealed), master_key=key, associated=_associated(purpose))
    except crypto.DecryptionError:
        return None
    return plain.decode()
