from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation links that fit the signed-in person's roles."""
    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or person.organisation_id is None:
        return {"nav_links": []}
    links = [
        ("Home", reverse("home")),
        ("Practice", reverse("practice")),
        ("Reflect", reverse("reflection")),
        ("Learn", reverse("learn")),
        ("Tips", reverse("tips")),
        ("Community", reverse("community")),
        ("Cohorts", reverse("cohorts")),
    ]
    links.append(("Community groups", reverse("groups")))
    if person.is_facilitator or person.is_program_admin:
        links.append(("Insights", reverse("insights")))
    if person.is_program_admin:
        links.append(("People", reverse("people")))
    links.append(("Profile", reverse("profile")))
    current = request.path
    # The longest link that is the current path or a section of it is the current page, so
    # /community/resources/ marks "Community", and a section never marks "Home" as well.
    matches = [
        url for _, url in links if url == current or (url != "/" and current.startswith(url))
    ]
    best = max(matches, key=len, default=None)
    return {
        "nav_links": [{"label": label, "url": url, "current": url == best} for label, url in links]
    }
