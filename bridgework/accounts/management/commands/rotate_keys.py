import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from bridgework.accounts import registry
from bridgework.accounts.encryption import rewrap_all
from bridgework.lib import keyfiles


class Command(BaseCommand):
    help = "Re-wrap every person's data key under a new master key and retire the old one."

    def handle(self, *args: Any, **options: Any) -> None:
        data_dir = Path(settings.DATA_DIR)
        old_keys = keyfiles.load_or_create_master_keys(data_dir)
        new_id, new_key = keyfiles.new_master_key()
        # Write the new key first, beside the old ones, so nothing is lost if we stop midway.
        keyfiles.replace_master_keys(data_dir, [(new_id, new_key), *old_keys])
        settings.FIELD_ENCRYPTION_KEYS = [(new_id, new_key), *old_keys]
        with transaction.atomic():
            count = rewrap_all(new_id, new_key)
            resealed = registry.master_key_rotated()
        # Microseconds too, so a second rotation within the same second gets its own file.
        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S-%f")
        retired = data_dir / f"master_keys.retired-{stamp}"
        fd = os.open(retired, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(keyfiles.format_master_keys(old_keys))
        keyfiles.replace_master_keys(data_dir, [(new_id, new_key)])
        settings.FIELD_ENCRYPTION_KEYS = [(new_id, new_key)]
        self.stdout.write(f"Re-wrapped {count} data keys under master key {new_id}.")
        if resealed:
            self.stdout.write(
                f"Re-sealed {resealed} other secrets (identity providers', second factors') "
                "under it too."
            )
        self.stdout.write(
            f"The old master key is in {retired}. Delete that file once no backup you keep "
            "still needs it."
        )
