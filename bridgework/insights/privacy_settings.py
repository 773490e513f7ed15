"""The privacy budget's default, floor and ceiling, read from settings and checked loudly.

The budget is zero-concentrated DP's rho per organisation per calendar month (docs/privacy.md).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEFAULT_RHO = 0.5
FLOOR_RHO = 0.05
CEILING_RHO = 2.0


def _value(name: str, default: float) -> float:
    try:
        return float(getattr(settings, name, default))
    except (TypeError, ValueError):
        raise ImproperlyConfigured(f"BRIDGEWORK_{name} must be a number.") from None


def floor_rho() -> float:
    return _value("INSIGHTS_RHO_FLOOR", FLOOR_RHO)


def ceiling_rho() -> float:
    return _value("INSIGHTS_RHO_CEILING", CEILING_RHO)


def default_rho() -> float:
    return _value("INSIGHTS_RHO_DEFAULT", DEFAULT_RHO)


def check() -> None:
    """Start-up: 0 < floor <= default <= ceiling, and the ceiling within reason."""
    low, default, high = floor_rho(), default_rho(), ceiling_rho()
    if not 0 < low <= default <= high:
        raise ImproperlyConfigured(
            "The insights privacy budget needs 0 < BRIDGEWORK_INSIGHTS_RHO_FLOOR <= "
            f"BRIDGEWORK_INSIGHTS_RHO_DEFAULT <= BRIDGEWORK_INSIGHTS_RHO_CEILING (got {low}, "
            f"{default}, {high})."
        )
    if high > 10:
        raise ImproperlyConfigured(
            "BRIDGEWORK_INSIGHTS_RHO_CEILING above 10 would make the guarantee meaningless."
        )
    if noiseless() and settings.ENVIRONMENT != "test":
        raise ImproperlyConfigured("INSIGHTS_NOISELESS is only for the test suite.")


def noiseless() -> bool:
    """Test-only: releases without noise, to compare statistics with SciPy."""
    return bool(getattr(settings, "INSIGHTS_NOISELESS", False))
