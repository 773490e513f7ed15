"""Static files in production: hashed names from the manifest collectstatic writes, each
address worked out once per process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

from bridgework.lib.static_files import ManifestStaticFiles


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("static")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "bridgework.lib.static_files.ManifestStaticFiles"},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root


def test_a_files_address_carries_its_content_hash(collected: Path) -> None:
    storage = ManifestStaticFiles(location=collected)
    address = storage.url("css/bridgework.css")
    assert address.startswith("/static/css/bridgework.") and address.endswith(".css")
    assert address != "/static/css/bridgework.css"
    hashed = address.removeprefix("/static/")
    assert (collected / hashed).exists()


def test_an_address_is_worked_out_once(collected: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = ManifestStaticFiles(location=collected)
    first = storage.url("js/nav.js")
    # Asking the manifest again would fail: the address comes from memory.
    monkeypatch.setattr(storage, "stored_name", lambda name: pytest.fail("asked again"))
    assert storage.url("js/nav.js") == first


def test_a_file_missing_from_the_manifest_is_an_error_every_time(collected: Path) -> None:
    storage = ManifestStaticFiles(location=collected)
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/no-such-file.css")
