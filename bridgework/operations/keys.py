"""Key safety: the database's wrapped data keys must be openable with the key file's keys.

A database restored without its `master_keys` file would otherwise start with a new master
key: every private field unreadable, and new writes mixed in with a key nobody else holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count

from bridgework.accounts.models import DataKey
from bridgework.lib import crypto, keyfiles


def key_file() -> Path:
    return Path(settings.DATA_DIR) / keyfiles.MASTER_KEYS_FILE


def problem_with_wrapped_keys(
    wrapped: Iterable[tuple[int, str, bytes]],
    master_keys: Mapping[str, bytes],
    source: Path,
    *,
    holder: str = "The database",
    before: str = "starting",
) -> str | None:
    """One sentence for the data keys the key file cannot open, or None when all open.

    `wrapped` holds (data key id, master key id, wrapped key) rows; `source` names the key
    file in the message.
    """
    missing: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    for data_key_id, master_key_id, wrapped_key in wrapped:
        master = master_keys.get(master_key_id)
        if master is None:
            missing[master_key_id] += 1
            continue
        try:
            crypto.unwrap_key(
                bytes(wrapped_key), master_key=master, associated=_associated(data_key_id)
            )
        except crypto.DecryptionError:
            wrong[master_key_id] += 1
    return explain(missing, wrong, source, holder=holder, before=before)


def _data_keys(count: int) -> str:
    return f"{count} data key" if count == 1 else f"{count} data keys"


def explain(
    missing: Mapping[str, int],
    wrong: Mapping[str, int],
    source: Path,
    *,
    holder: str = "The database",
    before: str = "starting",
) -> str | None:
    """One sentence naming the master key the operator must bring back, if any."""
    if missing:
        key_id, count = sorted(missing.items())[0]
        others = f" (and {len(missing) - 1} other master keys)" if len(missing) > 1 else ""
        return (
            f"{holder} holds {_data_keys(count)} wrapped by master key {key_id}{others}, "
            f"which is not in {source}: put back the master_keys file that belongs with this "
            f"database (or add the key from a master_keys.retired-* file) before {before}."
        )
    if wrong:
        key_id, count = sorted(wrong.items())[0]
        return (
            f"Master key {key_id} in {source} cannot open {_data_keys(count)} that "
            f"{holder.lower()} says it wrapped: the key file holds a different key under that "
            f"id, so put back the right one before {before}."
        )
    return None


def _associated(data_key_id: int) -> bytes:
    # The same associated data accounts.encryption binds to each wrapped key.
    return f"datakey:{data_key_id}".encode("ascii")


def check_master_keys() -> str | None:
    """At start-up: one sentence if the database's data keys need a master key we lack.

    Cheap: one query counting data keys per master key id, and one sample data key per id
    we hold (every key wrapped under an id was wrapped by the same master key). None when
    the tables do not exist yet (before the first migrate).
    """
    master_keys = dict(keyfiles.load_or_create_master_keys(Path(settings.DATA_DIR)))
    try:
        in_use = dict(
            DataKey.objects.order_by()
            .values_list("master_key_id")
            .annotate(count=Count("pk"))
            .values_list("master_key_id", "count")
        )
        samples = [
            (row.pk, row.master_key_id, bytes(row.wrapped_key))
            for key_id in sorted(in_use.keys() & master_keys.keys())
            if (row := DataKey.objects.filter(master_key_id=key_id).order_by("pk").first())
        ]
    except DatabaseError:
        return None
    missing = {key_id: count for key_id, count in in_use.items() if key_id not in master_keys}
    if missing:
        return explain(missing, {}, key_file())
    return problem_with_wrapped_keys(samples, master_keys, key_file())
