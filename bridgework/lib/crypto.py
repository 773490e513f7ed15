"""Envelope encryption with AES-GCM.

Each person has a data key; their sensitive fields are encrypted with it. The data key is
stored wrapped (encrypted) by a master key that lives only in the data directory. A
ciphertext records which data key made it, and a wrapped key records which master key
wrapped it, so keys can be rotated and a person's key destroyed on erasure.
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

CIPHERTEXT_PREFIX = "bw1"
NONCE_BYTES = 12


class DecryptionError(Exception):
    """The ciphertext cannot be opened: wrong or destroyed key, or tampered data."""


def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def wrap_key(data_key: bytes, *, master_key: bytes, associated: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(master_key).encrypt(nonce, data_key, associated)


def unwrap_key(wrapped: bytes, *, master_key: bytes, associated: bytes) -> bytes:
    try:
        return AESGCM(master_key).decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], associated)
    except InvalidTag as error:
        raise DecryptionError("The data key cannot be unwrapped with this master key.") from error


def encrypt_text(plaintext: str, *, key: bytes, key_id: int) -> str:
    """Return `bw1:<key id>:<base64 nonce+ciphertext>`; the key id is bound as associated data."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(key).encrypt(nonce, plaintext.encode("utf-8"), str(key_id).encode("ascii"))
    body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii")
    return f"{CIPHERTEXT_PREFIX}:{key_id}:{body}"


def ciphertext_key_id(ciphertext: str) -> int:
    try:
        prefix, key_id, _ = ciphertext.split(":", 2)
        if prefix != CIPHERTEXT_PREFIX:
            raise ValueError(prefix)
        return int(key_id)
    except ValueError as error:
        raise DecryptionError(
            "This value was not written by Bridgework's field encryption."
        ) from error


def decrypt_text(ciphertext: str, *, key: bytes) -> str:
    # A truncated or mangled value is tampered data too: it must not surface as a crash.
    try:
        _, key_id, body = ciphertext.split(":", 2)
        raw = base64.urlsafe_b64decode(body.encode("ascii"))
        plain = AESGCM(key).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], key_id.encode("ascii"))
    except (InvalidTag, ValueError) as error:
        raise DecryptionError("The value cannot be decrypted with this key.") from error
    return plain.decode("utf-8")
