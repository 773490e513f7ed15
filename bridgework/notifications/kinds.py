"""The kinds of notification, each declared by the app that sends it.

An app registers its kinds from its `AppConfig.ready()`; sending an undeclared kind is a
programming error and fails loudly, so a typo never files notifications under nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class Kind:
    value: str  # stored on each notification: at most 20 characters, never renamed
    label: StrOrPromise  # shown to people: mark it with gettext_lazy
    # A kind that only someone in a community group receives says so by itself: an e-mail
    # (read by whoever reads the inbox) calls it "Something new for you", like OTHER.
    tells_of_a_group: bool = False

    def __str__(self) -> str:
        return self.value


# Something about the person's own account (a group invitation, say), in no space.
OTHER = Kind("other", gettext_lazy("Other"))

_registered: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        if len(kind.value) > 20:
            raise ValueError(f"Notification kind {kind.value!r} is longer than 20 characters.")
        known = _registered.setdefault(kind.value, kind)
        if known != kind:
            raise ValueError(f"Notification kind {kind.value!r} is declared twice.")


def get(value: str | Kind) -> Kind:
    try:
        return _registered[str(value)]
    except KeyError:
        raise ValueError(f"No app declared the notification kind {value!r}.") from None


def registered() -> tuple[Kind, ...]:
    return tuple(_registered.values())
