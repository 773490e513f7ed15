"""The Profile page's "Where reminders reach you" section, rendered by the chat app so
accounts does not need to know which chat services exist."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Person

from .. import delivery, platforms
from ..forms import ConfirmCodeForm, DestinationForm
from ..models import ChatLink, Destination

register = template.Library()

PROBLEMS = {
    "not_connected": _("it is no longer connected to your organisation"),
    "not_linked": _("your account there is no longer linked"),
    "token_revoked": _("the app was removed or its access revoked"),
    "invalid_auth": _("the app was removed or its access revoked"),
    "account_inactive": _("the app was removed or its access revoked"),
    "user_not_found": _("it could not find your account"),
    "unavailable": _("it did not answer"),
}


@register.inclusion_tag("chat/_profile_section.html", takes_context=True)
def chat_reminders_section(context: dict[str, Any]) -> dict[str, Any]:
    person: Person = context["request"].user
    connected = platforms.connected(person.organisation)
    links = {link.platform: link for link in ChatLink.objects.filter(person=person)}
    destination = delivery.destination_of(person)
    available = [str(Destination.EMAIL)] + [
        p.key for p in connected if p.key in links and links[p.key].is_confirmed
    ]
    problem = delivery.last_problem(person)
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "platforms": [
            {"key": p.key, "label": p.label, "link": links.get(p.key)} for p in connected
        ],
        "destination_form": DestinationForm(
            initial={"destination": destination}, available=available
        ),
        "code_form": ConfirmCodeForm(),
        # A code can come from the chat app before "Link" is pressed (`/bridgework link`), so
        # the field stays while any connected platform is still unlinked.
        "all_linked": all(p.key in links and links[p.key].is_confirmed for p in connected),
        "problem": problem,
        "problem_platform": problem.get_platform_display() if problem else "",
        "problem_words": PROBLEMS.get(problem.problem, _("it did not take the message"))
        if problem
        else "",
    }
