"""Background tasks of the community app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def send_digests() -> int:
    """Every person whose digest is due gets one; safe to run from several workers."""
    from . import digest

    return digest.send_due()
