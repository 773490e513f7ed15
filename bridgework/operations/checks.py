"""System checks, so `bridgework manage check` reports what start-up would refuse."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from .keys import check_master_keys


@register()
def master_keys_open_the_data_keys(**kwargs: Any) -> list[CheckMessage]:
    problem = check_master_keys()
    if problem is None:
        return []
    return [
        Error(
            problem,
            hint="Without the right master key no private field can be read or written.",
            id="bridgework.E001",
        )
    ]
