"""Reading a rendered page in a spec."""

from __future__ import annotations

import re

# A CSRF token is 64 letters and digits; a CSP nonce is random URL-safe base64. Either can
# hold a short name ("Zed") by chance, so a spec that looks for a name strips them first.
_PER_REQUEST_VALUES = re.compile(r'nonce="[^"]*"|[A-Za-z0-9]{64}')


def without_per_request_values(page: str) -> str:
    """The page without the values that change on every request (CSRF tokens, nonces)."""
    return _PER_REQUEST_VALUES.sub("", page)
