from typing import Any

from django.http import HttpRequest
from django.urls import reverse


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation links that fit the signed-in person's roles."""
    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or person.organisation_id is None:
        return {"nav_links": []}
    links = [("Home", reverse("home"))]
    links.append(("Community groups", reverse("groups")))
    if person.is_program_admin:
        links.append(("People", reverse("people")))
        links.append(("Manage groups", reverse("manage_groups")))
    links.append(("Profile", reverse("profile")))
    current = request.path
    return {
        "nav_links": [
            {"label": label, "url": url, "current": url == current or (url != "/" and current.startswith(url))}
            for label, url in links
        ]
    }
