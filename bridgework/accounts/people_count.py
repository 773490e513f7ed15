"""The program admin's totals: an organisation's active and deactivated people, and its
active people by role.

Counting them reads every person and role (about 70 ms at 100,000 people). Done on the
admin's request, that request and the ones queued behind it on the same web process waited
for it once a minute (bench/PAGES.md, twenty-second round). The worker counts every
organisation each minute (`accounts.tasks.count_people_everywhere`) and the home page reads
the last count. A request counts only when that count is missing or older than
`RECOUNT_AFTER`: no worker is running, or it has fallen far behind."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Q

from .models import Organisation, PeopleCount, Person, RoleAssignment

RECOUNT_AFTER = timedelta(minutes=5)


def count_people(organisation: Organisation, *, now: datetime) -> PeopleCount:
    totals = Person.objects.in_organisation(organisation).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        deactivated=Count("pk", filter=Q(is_active=False)),
    )
    by_role = dict(
        RoleAssignment.objects.filter(person__organisation=organisation, person__is_active=True)
        .values_list("role")
        .annotate(n=Count("pk"))
        .values_list("role", "n")
    )
    count, _ = PeopleCount.objects.update_or_create(
        organisation=organisation,
        defaults={
            "active": totals["active"],
            "deactivated": totals["deactivated"],
            "by_role": by_role,
            "counted_at": now,
        },
    )
    return count


def people_count(organisation: Organisation, *, now: datetime) -> PeopleCount:
    """The last count, or a new one if it is missing or older than `RECOUNT_AFTER`."""
    last = PeopleCount.objects.filter(organisation=organisation).first()
    if last is not None and now - last.counted_at < RECOUNT_AFTER:
        return last
    return count_people(organisation, now=now)
