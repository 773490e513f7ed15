"""The community's front page and its spaces: creating, opening, editing, guidelines."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import current_organisation, current_person, member_required
from bridgework.lib.markdown import render as render_markdown
from bridgework.lib.pager import keyset_page, page_of

from .. import queries, services, visibility
from ..forms import SearchForm, SpaceEditForm, SpaceForm
from .common import _field_errors, _safe_next, _space

SPACES_PER_PAGE = 30
THREADS_PER_PAGE = 20


@require_GET
@member_required
def index(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    facilitated = visibility.facilitated_space_ids(person)
    page = page_of(queries.spaces_listed(person), request.GET.get("page"), SPACES_PER_PAGE)
    spaces = list(page)
    recent = queries.recent_threads(person, 5)
    return render(
        request,
        "community/index.html",
        {
            "spaces": spaces,
            "facilitated": set(facilitated),
            "page": page,
            "recent": recent,
            "may_create": person.is_facilitator,
            "search_form": SearchForm(),
            "may_see_log": person.is_facilitator or person.is_program_admin,
            "figures_cap": queries.FIGURES_CAP,
        },
    )


@require_http_methods(["GET", "POST"])
@member_required
def space_new(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    if not person.is_facilitator:
        raise PermissionDenied(_("Facilitators create spaces."))
    organisation = current_organisation(request)
    form = SpaceForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            space = services.create_space(
                organisation=organisation,
                created_by=person,
                name=data["name"],
                description=data["description"],
                audience=data["audience"],
                cohort=data["cohort"],
                group=data["group"],
                facilitators=data["facilitators"],
                guidelines=data["guidelines"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            if space.awaits_group:
                messages.success(
                    request,
                    _(
                        "“%(space)s” is ready. The members of %(group)s will see it once one "
                        "of the group's leads opens it to them."
                    )
                    % {"space": space.name, "group": space.group},
                )
            else:
                messages.success(
                    request,
                    _("“%(space)s” is ready. Start the first thread.") % {"space": space.name},
                )
            return redirect(space)
    return render(
        request, "community/space_new.html", {"form": form}, status=400 if form.errors else 200
    )


@require_GET
@member_required
def space(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    page = keyset_page(queries.threads_listed(person, found), request.GET, THREADS_PER_PAGE)
    standing = found.standing(person)
    moderator = standing.moderator
    waiting = queries.waiting_in(found) if moderator else 0
    return render(
        request,
        "community/space.html",
        {
            "space": found,
            "page": page,
            "moderator": moderator,
            "waiting": waiting,
            "polls": queries.latest_polls(found, 3),
            "can_open": found.awaits_group and found.is_led_by(person),
            # Who would read everything its members share: for the lead deciding to open it.
            "looked_after_by": list(found.facilitators.order_by("chosen_name"))
            if found.awaits_group
            else [],
            # A group's leads decide who looks after its space.
            "may_change": found.group_id is not None and not moderator and found.is_led_by(person),
            "accepted": standing.accepted,
            "pause_reason": standing.pause_reason,
            # Asks come from the group's own members, not from facilitators looking after it.
            "may_write_ask": found.is_protected and found.is_in_audience(person),
        },
    )


@require_POST
@member_required
def space_open(request: HttpRequest, space_id: int) -> HttpResponse:
    found = _space(request, space_id)
    services.open_space_to_group(space=found, lead=current_person(request))
    messages.success(
        request,
        _("The members of %(group)s can see “%(space)s” now.")
        % {"group": found.group, "space": found.name},
    )
    return redirect(found)


@require_http_methods(["GET", "POST"])
@member_required
def space_edit(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    lead = found.is_led_by(person)
    moderates = found.can_moderate(person)
    if not (moderates or lead):
        raise Http404("No such space.")
    initial = {
        "name": found.name,
        "description": found.description,
        "guidelines": found.guidelines_text(),
        "facilitators": list(found.facilitators.all()),
        "is_archived": found.is_archived,
    }
    form = SpaceEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        organisation=found.organisation,
    )
    if found.group_id is not None and not lead:
        form.fields["facilitators"].help_text = services.adding_facilitators_is_for_leads(found)
    if not moderates:
        # A lead who does not look after the space chooses who does, and nothing else.
        for name in ("name", "description", "guidelines", "is_archived"):
            form.fields[name].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_space(
                space=found,
                editor=person,
                name=data["name"],
                description=data["description"],
                guidelines=data["guidelines"],
                facilitators=data["facilitators"],
                is_archived=data["is_archived"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            if found.can_view(person):
                return redirect(found)
            return redirect("community")
    return render(
        request,
        "community/space_edit.html",
        {"space": found, "form": form, "lead_only": not moderates},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def guidelines(request: HttpRequest, space_id: int) -> HttpResponse:
    person = current_person(request)
    found = _space(request, space_id)
    if request.method == "POST":
        services.accept_guidelines(space=found, person=person)
        messages.success(request, _("Thank you. You can post in this space now."))
        return redirect(_safe_next(request, found.get_absolute_url()))
    return render(
        request,
        "community/guidelines.html",
        {
            "space": found,
            "guidelines_html": render_markdown(found.guidelines_text()),
            "accepted": found.has_accepted_guidelines(person),
            "next": _safe_next(request, ""),
        },
    )
