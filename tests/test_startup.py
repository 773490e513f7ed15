"""A web process loads what it keeps for life before its first request, and freezes it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .subprocess_support import REPO, child_environment

SHOW_WHAT_STARTUP_LEFT = """
import gc, sys
import bridgework.wsgi
from django.utils import translation
print(gc.get_freeze_count())
print("bridgework.community.views.threads" in sys.modules)
print(len(translation.trans_real._translations))
"""


def test_the_wsgi_application_starts_with_its_views_and_translations_frozen(
    tmp_path: Path,
) -> None:
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_WHAT_STARTUP_LEFT],
        cwd=REPO,
        env=child_environment(tmp_path),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout.split()
    frozen, views_loaded, languages_loaded = int(shown[0]), shown[1], int(shown[2])
    # Django and every view module: far more than Python itself holds at start.
    assert frozen > 100_000
    assert views_loaded == "True"
    assert languages_loaded >= 3  # English, Spanish, French
