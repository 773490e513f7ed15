"""Heartbeats: a row per process kind and host that says when it was last alive."""

from __future__ import annotations

import socket
from datetime import datetime

from django.db.models import Max
from django.utils import timezone

from .models import Heartbeat

WORKER = "worker"


def record_heartbeat(name: str = WORKER) -> None:
    """Note that this kind of process (a worker, by default) on this host is alive now.

    Safe to call often: one UPDATE, and one INSERT the first time.
    """
    key = f"{name}@{socket.gethostname()}"
    now = timezone.now()
    if not Heartbeat.objects.filter(name=key).update(seen_at=now):
        Heartbeat.objects.update_or_create(name=key, defaults={"seen_at": now})


def last_seen(name: str = WORKER) -> datetime | None:
    """When any process of this kind, on any host, was last alive."""
    found = Heartbeat.objects.filter(name__startswith=f"{name}@").aggregate(last=Max("seen_at"))
    last: datetime | None = found["last"]
    return last
