"""Secrets that live in the data directory, never in the repository or the database.

Pure Python: settings.py and the command line use it before Django is set up.
"""

from __future__ import annotations

import base64
import os
import secrets
from pathlib import Path

SECRET_KEY_FILE = "secret_key"  # noqa: S105  (a file name)
MASTER_KEYS_FILE = "master_keys"


class KeyFileError(Exception):
    """A key file exists but cannot be used; the message is one sentence for the operator."""


def os_reason(error: OSError | UnicodeDecodeError) -> str:
    """What went wrong, in words, without Python's `[Errno N] ...: 'path'` wrapping."""
    if isinstance(error, UnicodeDecodeError):
        return "it is not a text file"
    if isinstance(error, NotADirectoryError):
        return "a part of its path is a file, not a directory"
    if isinstance(error, IsADirectoryError):
        return "it is a directory, not a file"
    if isinstance(error, FileNotFoundError):
        return "it does not exist"
    if isinstance(error, PermissionError):
        return "permission denied"
    return (error.strerror or type(error).__name__).lower()


def ensure_data_dir(data_dir: Path) -> None:
    """Create the data directory (and its parents) or say in one sentence why it cannot be."""
    if data_dir.exists() and not data_dir.is_dir():
        raise KeyFileError(f"The data directory {data_dir} is a file, not a directory.")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise KeyFileError(
            f"Cannot create the data directory {data_dir} ({os_reason(error)})."
        ) from None


def _refuse_dangling_link(path: Path) -> None:
    # exists() is False for a link to nothing, and creating the file would then fail with
    # "File exists"; a dangling link usually means a secrets volume is not mounted.
    if path.is_symlink() and not path.exists():
        raise KeyFileError(
            f"The key file {path} is a link to {os.readlink(path)}, which does not exist "
            "(is a secrets volume not mounted?)."
        )


def _write_private(path: Path, text: str) -> None:
    # Create with mode 600 from the start so the secret is never briefly world-readable.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as error:
        raise KeyFileError(f"Cannot create the key file {path} ({os_reason(error)}).") from None
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as error:
        raise KeyFileError(f"Cannot read the key file {path} ({os_reason(error)}).") from None


def load_or_create_secret_key(data_dir: Path) -> str:
    path = data_dir / SECRET_KEY_FILE
    _refuse_dangling_link(path)
    if not path.exists():
        ensure_data_dir(data_dir)
        _write_private(path, secrets.token_urlsafe(50) + "\n")
    value = _read(path)
    if len(value) < 50:
        raise KeyFileError(f"The secret key in {path} is too short (need at least 50 characters).")
    return value


def new_master_key() -> tuple[str, bytes]:
    """A fresh 256-bit master key and a short id that ciphertexts and wrapped keys record."""
    return secrets.token_hex(4), secrets.token_bytes(32)


def format_master_keys(keys: list[tuple[str, bytes]]) -> str:
    lines = [f"{key_id}:{base64.b64encode(key).decode('ascii')}" for key_id, key in keys]
    return "\n".join(lines) + "\n"


def parse_master_keys(text: str, source: Path) -> list[tuple[str, bytes]]:
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key_id, _, encoded = line.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise KeyFileError(f"Line {number} of {source} is not a valid key.") from error
        if len(key) != 32 or not key_id:
            raise KeyFileError(f"Line {number} of {source} is not a 256-bit key with an id.")
        keys.append((key_id, key))
    if not keys:
        raise KeyFileError(f"The key file {source} holds no key.")
    return keys


def load_or_create_master_keys(data_dir: Path) -> list[tuple[str, bytes]]:
    """The master keys, current first. Older keys stay until rotate-keys retires them."""
    path = data_dir / MASTER_KEYS_FILE
    _refuse_dangling_link(path)
    if not path.exists():
        ensure_data_dir(data_dir)
        _write_private(path, format_master_keys([new_master_key()]))
    return parse_master_keys(_read(path), path)


def replace_master_keys(data_dir: Path, keys: list[tuple[str, bytes]]) -> None:
    """Atomically replace the key file (write a private temporary file, then rename)."""
    path = data_dir / MASTER_KEYS_FILE
    temporary = data_dir / (MASTER_KEYS_FILE + ".new")
    temporary.unlink(missing_ok=True)
    _write_private(temporary, format_master_keys(keys))
    os.replace(temporary, path)
