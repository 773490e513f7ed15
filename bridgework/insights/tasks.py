"""Background tasks of the insights app (run by `bridgework worker`)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="insights")
def release_insights() -> int:
    """Release every organisation's closed months not yet released (idempotent: a month is
    released once, and a second worker racing for it is refused by the database)."""
    from bridgework.accounts.models import Organisation

    from . import releases

    count = 0
    for organisation in Organisation.objects.order_by("pk"):
        count += len(releases.release_closed_months(organisation=organisation))
    return count
