"""Running the real `bridgework` command in a subprocess, on a throwaway SQLite data directory.

The tests that do so share an environment that points nowhere near the test run's own
database, and a migrated data directory made once per test process and copied for each use:
migrating takes up to a minute on a loaded machine, and several modules would otherwise each
migrate their own. Waits allow minutes; they are only reached when something is wrong.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PATIENCE = 600.0  # seconds
SQLITE_FILE = "bridgework.sqlite3"

# These tests start Bridgework on its own SQLite database whatever DATABASE_URL says, so the
# PostgreSQL run would repeat the SQLite run exactly; conftest skips them there.
own_sqlite = pytest.mark.own_sqlite


def child_environment(data_dir: Path, env: str = "test", **extra: str) -> dict[str, str]:
    """The parent's environment minus anything that would point at the test run's database."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BRIDGEWORK_", "EMAIL_", "PYTEST_"))
        and key not in {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update({"BRIDGEWORK_ENV": env, "BRIDGEWORK_DATA_DIR": str(data_dir)})
    environment.update(extra)  # may override either
    return environment


def run_bridgework(
    *args: str, data_dir: Path, stdin: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bridgework", *args],
        cwd=REPO,
        env=child_environment(data_dir, **extra),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
        check=False,
    )


def make_migrated_data_dir(data_dir: Path) -> Path:
    result = run_bridgework("manage", "migrate", "--verbosity", "0", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    return data_dir


def copy_data_dir(template: Path, destination: Path) -> Path:
    """A private copy of a data directory: database, secret key and master keys together."""
    shutil.copytree(template, destination)
    return destination
