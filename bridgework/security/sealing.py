"""Second-factor secrets sealed at rest.

allauth keeps an authenticator app's TOTP secret and the seed of the recovery codes in the
`Authenticator.data` JSON and passes each through the MFA adapter's `encrypt`/`decrypt`
hooks. We seal them with the data directory's master key, as the organisations' identity
provider secrets are, so a copy of the database alone cannot compute anyone's codes.

A sealed value is `mfa1:<master key id>:<base64>`. Values written before sealing existed
are plain; `open_secret` still reads them, and migration 0002 seals the ones it finds.
"""

from __future__ import annotations

import base64
import binascii
import logging
import secrets
from typing import Any

from bridgework.sso import sealing

logger = logging.getLogger(__name__)

PREFIX = "mfa1"
PURPOSE = "mfa-secret"
# Where allauth keeps secrets in an authenticator's data, by authenticator type.
SECRET_KEYS = {"totp": ("secret",), "recovery_codes": ("seed",)}
SECRET_LISTS = {"recovery_codes": ("migrated_codes",)}


def is_sealed(text: str) -> bool:
    return text.startswith(f"{PREFIX}:")


def key_id_of(text: str) -> str:
    return text.split(":", 2)[1] if is_sealed(text) else ""


def seal_secret(text: str) -> str:
    key_id, sealed = sealing.seal(text, purpose=PURPOSE)
    return f"{PREFIX}:{key_id}:{base64.urlsafe_b64encode(sealed).decode('ascii')}"


def open_secret(text: str) -> str:
    """The secret; a plain (legacy) value comes back as it is.

    A sealed value that cannot be opened (its master key is gone, or it was altered) gives
    a fresh random secret instead: no code ever matches it, so the person uses another
    factor, and nothing that was stored can be guessed from an empty or known key."""
    if not is_sealed(text):
        return text
    plain = _open_or_none(text)
    if plain is None:
        logger.warning("mfa: a sealed second-factor secret could not be opened")
        # Base32 so that allauth can read it as a TOTP secret as well as a seed.
        return base64.b32encode(secrets.token_bytes(20)).decode("ascii")
    return plain


def _open_or_none(text: str) -> str | None:
    _, key_id, body = text.split(":", 2)
    try:
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
    except (binascii.Error, ValueError):
        return None
    return sealing.unseal(raw, key_id=key_id, purpose=PURPOSE)


def reseal_data(kind: str, data: dict[str, Any], *, newest_key_id: str | None = None) -> bool:
    """Seal every plain secret in one authenticator's data, in place, and with
    `newest_key_id` also re-seal those sealed under an older master key. True when anything
    changed; a value that cannot be opened is left as it is."""
    changed = False

    def renewed(value: Any) -> Any:
        nonlocal changed
        if not isinstance(value, str):
            return value
        if is_sealed(value):
            if newest_key_id is None or key_id_of(value) == newest_key_id:
                return value
            plain = _open_or_none(value)
            if plain is None:
                return value
        else:
            plain = value
        changed = True
        return seal_secret(plain)

    for key in SECRET_KEYS.get(kind, ()):
        if key in data:
            data[key] = renewed(data[key])
    for key in SECRET_LISTS.get(kind, ()):
        if isinstance(data.get(key), list):
            data[key] = [renewed(value) for value in data[key]]
    return changed
