"""The resources app's part of "Download my data" and of erasing a person."""

from __future__ import annotations

from typing import Any

from bridgework.accounts.models import Person
from bridgework.accounts.personal_data import when
from bridgework.accounts.registry import Erasure, ExportSection

from .models import Resource, ResourceReview


def _resources(person: Person) -> dict[str, Any]:
    # The reviewer's reason is their words, not the person's: only the outcome.
    suggested = Resource.objects.filter(suggested_by=person).order_by("created_at", "pk")
    return {
        "resources_suggested": [
            {
                "title": r.title,
                "link": r.url,
                "why_it_helped": r.why_it_helped,
                "status": r.get_status_display(),
                "suggested_at": when(r.created_at),
            }
            for r in suggested
        ]
    }


EXPORT = ExportSection(
    app="resources",
    template="resources/my_data_export.html",
    covers=(Resource,),
    build=_resources,
)
# Resources they suggested and reviews they made stay, shared, without their name
# (on_delete=SET_NULL).
ERASURE = Erasure(app="resources", covers=(Resource, ResourceReview))
