"""The sections of the organisation settings page. Each app that adds settings (sign-in,
provisioning, chat) registers its section from its `AppConfig.ready()`, so the page's
navigation lists them without accounts importing those apps."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class SettingsSection:
    label: StrOrPromise  # translated when shown: mark it with gettext_lazy
    url_name: str
    order: int

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_sections: dict[str, SettingsSection] = {}


def register(*, label: StrOrPromise, url_name: str, order: int) -> None:
    _sections[url_name] = SettingsSection(label=label, url_name=url_name, order=order)


def sections() -> list[SettingsSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, str(section.label)))
