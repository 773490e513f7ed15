"""Static files with hashed names, each file's address worked out once per process.

Finding a file's hashed name in the manifest and joining it to `STATIC_URL` is some fifty
Python calls, and every page asks for the same few files (the style sheet, htmx, nav.js):
about 0.2 ms of every page (bench/PAGES.md, twenty-second round). The manifest is read once
when the process starts and does not change while it runs, so neither do the addresses."""

from __future__ import annotations

from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFiles(CompressedManifestStaticFilesStorage):  # type: ignore[misc]  # untyped
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        if force or name is None:
            return str(super().url(name, force))
        try:
            return self._addresses[name]
        except KeyError:
            # A file missing from the manifest raises here, and is not remembered.
            address = self._addresses[name] = str(super().url(name))
            return address
