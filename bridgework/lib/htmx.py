"""Tiny typed wrapper around django-htmx's request attribute."""

from typing import Any


def is_htmx(request: Any) -> bool:
    """True when htmx sent the request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))
