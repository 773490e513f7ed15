"""Point Django at a benchmark database before anything imports a model.

Both `generate.py` and `run.py` call `configure()` first. The data directory (secret key and
master encryption key) is `bench/.data/keys`, shared by every benchmark database, so the
ciphertexts the generator writes can be opened by the app when the benchmark runs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
DATA_DIR = BENCH_DIR / ".data"

# The same SQLite options the app uses for its own file (settings.database_settings).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def default_sqlite_path(people: int) -> str:
    return str(DATA_DIR / f"bench-{people}.sqlite3")


def is_postgres(url: str) -> bool:
    return url.startswith(("postgresql://", "postgres://"))


def sqlite_path(url: str) -> Path:
    """A plain path or a sqlite:///relative or sqlite:////absolute URL, made absolute."""
    return Path(url.removeprefix("sqlite:///")).resolve()


def describe(url: str) -> str:
    if is_postgres(url):
        parts = urlsplit(url)
        return f"PostgreSQL {parts.hostname}:{parts.port or 5432}{parts.path}"
    return f"SQLite {sqlite_path(url)}"


def create_postgres_database(url: str, *, fresh: bool) -> None:
    """Create the benchmark database (dropping it first when `fresh`)."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and fresh:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
            exists = None
        if not exists:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def configure(url: str) -> None:
    """Set the environment for `url` and set Django up (production-like: DEBUG off)."""
    if str(REPO_DIR) not in sys.path:
        sys.path.insert(0, str(REPO_DIR))
    (DATA_DIR / "keys").mkdir(parents=True, exist_ok=True)
    os.environ["BRIDGEWORK_DATA_DIR"] = str(DATA_DIR / "keys")
    os.environ["BRIDGEWORK_ENV"] = "local"
    os.environ["BRIDGEWORK_DEBUG"] = "false"
    os.environ["BRIDGEWORK_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bridgework.settings"
    if is_postgres(url):
        os.environ["DATABASE_URL"] = url
    else:
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"

    from django.conf import settings

    if not is_postgres(url):
        # dj-database-url knows nothing of the app's SQLite pragmas; use the app's own.
        settings.DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)

    import django

    django.setup()
