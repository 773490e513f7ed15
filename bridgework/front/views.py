from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.accounts.models import (
    Organisation,
    Role,
    group_invitations_of,
    groups_in,
    groups_of,
    pending_invitations_in,
)
from bridgework.accounts.people_count import people_count
from bridgework.community.api import waiting_for_moderation
from bridgework.curriculum.api import Lesson, lessons_done_by
from bridgework.insights.api import open_pulses_for
from bridgework.notifications.api import unread_count
from bridgework.operations import api as outage
from bridgework.reflection.api import Note
from bridgework.resources.api import suggestions_to_vet

# Home names this many new notes; the heading counts all of them.
HOME_NOTES = 3


def organisation_counts(organisation: Organisation) -> dict[str, Any]:
    """The program admin's totals: active and deactivated people, active people by role."""
    count = people_count(organisation, now=timezone.now())
    return {
        "people_stats": {"active": count.active, "deactivated": count.deactivated},
        "role_counts": count.by_role,
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("account_login")
    person = current_person(request)
    if person.organisation_id is None:
        return render(request, "front/operator_home.html")
    return member_home(request)


@member_required
def member_home(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    organisation = current_organisation(request)
    new_notes, new_note_count = Note.objects.newest_new_for(person, HOME_NOTES)
    context: dict[str, object] = {
        "organisation": organisation,
        "my_groups": list(groups_of(person_id=person.pk)),
        "group_invitations": list(
            group_invitations_of(person_id=person.pk, organisation_id=organisation.pk)
        ),
        "new_notes": new_notes,
        "new_note_count": new_note_count,
        "unread_notifications": unread_count(person),
    }
    if person.is_participant:
        context["safety_pulses"] = open_pulses_for(person)
        context["next_lesson"] = Lesson.objects.next_for(person)
        context["lessons_done"] = lessons_done_by(person_id=person.pk).count()
    if person.is_facilitator:
        context["waiting_posts"] = waiting_for_moderation(person)
        context["resources_to_vet"] = suggestions_to_vet(organisation)
    if person.is_program_admin:
        context.update(organisation_counts(organisation))
        context["pending_invitations"] = pending_invitations_in(
            organisation_id=organisation.pk, now=timezone.now()
        ).count()
        context["group_count"] = groups_in(organisation_id=organisation.pk).count()
        context["roles"] = Role
    return render(request, "front/home.html", context)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors that touch the database: the error may be the database.
    from django.template import loader

    if outage.current_error_is_database_outage():
        return outage.database_unavailable()
    return HttpResponse(loader.get_template("errors/500.html").render({}), status=500)
