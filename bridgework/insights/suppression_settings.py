"""The suppression thresholds, read from settings and checked loudly."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from bridgework.lib import suppression


def min_cell() -> int:
    """BRIDGEWORK_INSIGHTS_MIN_CELL (default 5); never below 3."""
    value = getattr(settings, "INSIGHTS_MIN_CELL", suppression.DEFAULT_MIN_CELL)
    try:
        return suppression.checked_threshold(int(value))
    except (TypeError, ValueError) as error:
        raise ImproperlyConfigured(
            f"BRIDGEWORK_INSIGHTS_MIN_CELL must be a whole number of at least "
            f"{suppression.LOWEST_MIN_CELL} ({error})."
        ) from None


def min_cell_for_free_text() -> int:
    return max(min_cell(), suppression.FREE_TEXT_MIN_CELL)
