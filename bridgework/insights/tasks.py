"""Background tasks of the insights app (run by `bridgework worker`)."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone


@task(queue_name="rollups")
def refresh_insights() -> int:
    """Fold today and yesterday into every organisation's rollups, then refresh its cells."""
    from bridgework.accounts.models import Organisation

    from . import rollups

    today = timezone.localdate()
    count = 0
    for organisation in Organisation.objects.order_by("pk"):
        for day in (today - timedelta(days=1), today):
            rollups.fold_day(organisation=organisation, day=day)
        rollups.refresh(organisation=organisation, today=today)
        count += 1
    return count


@task(queue_name="rollups")
def rebuild_insights() -> int:
    """Nightly: rebuild every organisation's rollups from the source tables."""
    from bridgework.accounts.models import Organisation

    from . import rollups

    count = 0
    for organisation in Organisation.objects.order_by("pk"):
        rollups.rebuild(organisation=organisation)
        count += 1
    return count
