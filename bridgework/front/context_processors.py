from functools import cache
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import get_script_prefix, reverse
from django.utils.translation import gettext_lazy, pgettext_lazy

SECTIONS = {
    "Home": "home",
    "Practice": "practice",
    "Reflect": "reflection",
    "Learn": "learn",
    "Tips": "tips",
    "Community": "community",
    "Cohorts": "cohorts",
    "Community groups": "groups",
    "Insights": "insights",
    "People": "people",
    "Settings": "organisation_settings",
    "Profile": "profile",
}

# What each section is called on the page, in the language of the request (the keys above
# stay English: they name the sections in code and in the per-process cache of addresses).
LABELS = {
    "Home": pgettext_lazy("navigation", "Home"),
    "Practice": pgettext_lazy("navigation", "Practice"),
    "Reflect": pgettext_lazy("navigation", "Reflect"),
    "Learn": pgettext_lazy("navigation", "Learn"),
    "Tips": pgettext_lazy("navigation", "Tips"),
    "Community": pgettext_lazy("navigation", "Community"),
    "Cohorts": pgettext_lazy("navigation", "Cohorts"),
    "Community groups": gettext_lazy("Community groups"),
    "Insights": pgettext_lazy("navigation", "Insights"),
    "People": gettext_lazy("People"),
    "Settings": pgettext_lazy("navigation", "Settings"),
    "Profile": gettext_lazy("Profile"),
}


@cache
def _urls(prefix: str) -> dict[str, str]:
    """Reversed once per process (and script prefix), not on every page."""
    return {label: reverse(name) for label, name in SECTIONS.items()}


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The navigation links that fit the signed-in person's roles."""
    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated or person.organisation_id is None:
        return {"nav_links": [], "profile_link": None}
    urls = _urls(get_script_prefix())
    labels = ["Home", "Practice", "Reflect", "Learn", "Tips", "Community", "Cohorts"]
    labels.append("Community groups")
    if person.is_facilitator or person.is_program_admin:
        labels.append("Insights")
    if person.is_program_admin:
        labels.extend(["People", "Settings"])
    links = [(label, urls[label]) for label in labels]
    current = request.path
    # The longest link that is the current path or a section of it is the current page, so
    # /community/resources/ marks "Community", and a section never marks "Home" as well.
    matches = [
        url for _, url in links if url == current or (url != "/" and current.startswith(url))
    ]
    best = max(matches, key=len, default=None)
    profile_url = urls["Profile"]
    return {
        "nav_links": [
            {"label": str(LABELS[label]), "url": url, "current": url == best}
            for label, url in links
        ],
        # Beside "Sign out" rather than in the main navigation: it is about the person, not
        # the program, and a program admin's twelve sections would otherwise wrap to a second line.
        "profile_link": {"url": profile_url, "current": current.startswith(profile_url)},
    }


def form_token(request: HttpRequest) -> dict[str, Any]:
    """For a signed-in person, the form token as a plain string.

    Django's own processor gives a lazy object, so that a page without a form sets no token
    cookie; but a signed-in page always has one (signing out is a form), and every
    `{% csrf_token %}` reading the lazy object costs a dozen calls through its proxy: the
    cohorts page has a form a card (bench/PAGES.md, twenty-second round)."""
    person = getattr(request, "user", None)
    if person is None or not person.is_authenticated:
        return {}
    return {"csrf_token": get_token(request)}
