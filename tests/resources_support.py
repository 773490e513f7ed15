"""Shared makers for the resources specs."""

from __future__ import annotations

from django.utils import timezone

from bridgework.accounts.models import Person
from bridgework.curriculum.models import Module
from bridgework.resources.models import CRITERIA_KEYS, Resource, ResourceReview

ALL_MET = dict.fromkeys(CRITERIA_KEYS, "on")


def make_resource(
    suggester: Person,
    *,
    title: str = "A good book",
    kind: str = "book",
    status: str = Resource.Status.PENDING,
    module: Module | None = None,
    why: str = "It changed how I listen.",
) -> Resource:
    assert suggester.organisation is not None
    resource = Resource.objects.create(
        organisation=suggester.organisation,
        kind=kind,
        title=title,
        url="https://example.org/a-good-book",
        module=module,
        why_it_helped=why,
        suggested_by=suggester,
        status=status,
        reviewed_at=timezone.now() if status != Resource.Status.PENDING else None,
    )
    if status == Resource.Status.VETTED:
        ResourceReview.objects.create(
            resource=resource, decision="approve", **dict.fromkeys(CRITERIA_KEYS, True)
        )
    return resource


def module_named(organisation_of: Person, slug: str, order: int = 1) -> Module:
    assert organisation_of.organisation is not None
    return Module.objects.create(
        organisation=organisation_of.organisation,
        slug=slug,
        title=slug.replace("-", " ").capitalize(),
        order=order,
        summary="A module.",
        body="Text.",
    )
