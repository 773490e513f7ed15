"""Demo data: a few vetted resources and one suggestion waiting for review.

The items are real and well known; what is said about them here is written for Bridgework.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from bridgework.accounts.models import Organisation, Person
from bridgework.curriculum.api import Module

from .models import CRITERIA_KEYS, Kind, Resource, ResourceReview

# (kind, title, link, module slug, why it helped, suggested by)
VETTED = [
    (
        Kind.ARTICLE,
        "“Psychological Safety and Learning Behavior in Work Teams”, Amy Edmondson (1999)",
        "https://doi.org/10.2307/2666999",
        "connection-and-compassion",
        "The study behind the phrase everyone now uses. Reading the original showed me that "
        "safety is about whether a team lets people take small risks, like admitting a "
        "mistake, and that it can be measured and improved, not just hoped for.",
        "participant@example.com",
    ),
    (
        Kind.VIDEO,
        "“The power of vulnerability”, Brené Brown (TED, 2010)",
        "https://www.ted.com/talks/brene_brown_the_power_of_vulnerability",
        "emotional-courage",
        "Twenty minutes that made the four defenses click for me: the urge to protect "
        "myself is normal, and naming it is where courage starts. It has captions and a "
        "full transcript.",
        "both@example.com",
    ),
    (
        Kind.TOOL,
        "WCAG 2.2 quick reference (W3C)",
        "https://www.w3.org/WAI/WCAG22/quickref/",
        "seven-practices",
        "When a colleague asked us to make our slides and documents accessible, this is "
        "where I learned what that means in practice. The filters let you see only what "
        "applies to your kind of content.",
        "admin@example.com",
    ),
    (
        Kind.PODCAST,
        "Code Switch (NPR)",
        "https://www.npr.org/podcasts/510312/codeswitch",
        "social-location",
        "Short episodes I listen to on the way in. Hearing journalists think out loud about "
        "race and identity helped me notice where I stand and what I had never had to "
        "think about. Episodes come with transcripts.",
        "participant@example.com",
    ),
]
PENDING = (
    Kind.BOOK,
    "“The Person You Mean to Be”, Dolly Chugh (2018)",
    "https://openlibrary.org/search?q=The+Person+You+Mean+to+Be+Dolly+Chugh",
    "allyship-foundations",
    "It helped me stop asking whether I am a good person and start asking whether I am "
    "getting better. The idea of being a “builder” rather than a “believer” stuck.",
    "both@example.com",
)


def create(organisation: Organisation) -> None:
    people = {p.email: p for p in Person.objects.filter(organisation=organisation)}
    modules = {m.slug: m for m in Module.objects.for_organisation(organisation)}
    reviewer = people.get("facilitator@example.com")

    def suggestion(
        kind: str, title: str, url: str, slug: str, why: str, email: str
    ) -> dict[str, Any]:
        """One demo row's fields as someone suggested them (the module and person by key)."""
        return {
            "organisation": organisation,
            "kind": kind,
            "title": title,
            "url": url,
            "module": modules.get(slug),
            "why_it_helped": why,
            "suggested_by": people.get(email),
        }

    for kind, title, url, slug, why, email in VETTED:
        resource = Resource.objects.create(
            **suggestion(kind, title, url, slug, why, email),
            status=Resource.Status.VETTED,
            reviewed_at=timezone.now(),
        )
        ResourceReview.objects.create(
            resource=resource,
            reviewer=reviewer,
            decision=ResourceReview.Decision.APPROVE,
            **dict.fromkeys(CRITERIA_KEYS, True),
        )
    Resource.objects.create(**suggestion(*PENDING))
