from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bridgework.accounts.access import (
    current_organisation,
    current_person,
    member_required,
    role_required,
)
from bridgework.accounts.models import Person, Role
from bridgework.lib.htmx import is_htmx

from . import services
from .forms import FilterForm, ReviewForm, SuggestForm
from .models import RUBRIC, Resource

facilitator_required = role_required(Role.FACILITATOR)
PER_PAGE = 20


def _resource(request: HttpRequest, resource_id: int) -> Resource:
    """A resource this person may see: vetted, their own, or any for a facilitator."""
    found = (
        Resource.objects.visible_to(current_person(request))
        .filter(pk=resource_id)
        .select_related("module")
        .first()
    )
    if found is None:
        raise Http404("No such resource.")
    return found


@require_GET
@member_required
def resources(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = FilterForm(request.GET or None, organisation=organisation)
    filters = form.active_filters()
    queryset = Resource.objects.vetted_in(organisation).select_related("module")
    if "kind" in filters:
        queryset = queryset.filter(kind=filters["kind"])
    if "module" in filters:
        queryset = queryset.filter(module=filters["module"])
    page = Paginator(queryset.order_by("-reviewed_at", "pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query_string = request.GET.copy()
    query_string.pop("page", None)
    person = current_person(request)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "query_string": query_string.urlencode(),
        "pending_count": (
            Resource.objects.pending_in(organisation).count() if person.is_facilitator else 0
        ),
    }
    template = "resources/list.html#results" if is_htmx(request) else "resources/list.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@member_required
def suggest(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    form = SuggestForm(
        request.POST if request.method == "POST" else None,
        organisation=current_organisation(request),
    )
    limit = services.suggestion_limit_reached(person)
    if request.method == "POST" and form.is_valid():
        try:
            services.suggest(person=person, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "Thank you! A facilitator will check it against the rubric; you will see "
                    "their decision under “Your suggestions”."
                ),
            )
            return redirect("resources_mine")
    status = 400 if form.errors else 200
    return render(request, "resources/suggest.html", {"form": form, "limit": limit}, status=status)


@require_GET
@member_required
def mine(request: HttpRequest) -> HttpResponse:
    suggested = Resource.objects.filter(suggested_by=current_person(request)).select_related(
        "module"
    )
    page = Paginator(suggested.order_by("-created_at", "-pk"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "resources/mine.html", {"page": page})


@require_GET
@member_required
def resource(request: HttpRequest, resource_id: int) -> HttpResponse:
    found = _resource(request, resource_id)
    person = current_person(request)
    reviewer = found.can_review(person)
    own_to_vet = person.is_facilitator and found.is_suggested_by(person)
    return render(
        request,
        "resources/resource.html",
        {
            "resource": found,
            "is_mine": found.suggested_by_id == person.pk,
            "own_to_vet": own_to_vet,
            "nobody_else": own_to_vet and not Person.objects.other_facilitators(person).exists(),
            "can_review": reviewer,
            "can_withdraw": found.can_withdraw(person),
            "reviews": list(found.reviews.all()) if reviewer or own_to_vet else [],
        },
    )


@require_POST
@member_required
def withdraw(request: HttpRequest, resource_id: int) -> HttpResponse:
    found = _resource(request, resource_id)
    person = current_person(request)
    if not found.can_withdraw(person):
        raise Http404("No such suggestion waiting for review.")
    services.withdraw(resource=found, person=person)
    messages.success(request, _("Your suggestion is withdrawn."))
    return redirect("resources_mine")


@require_GET
@facilitator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    waiting = (
        Resource.objects.pending_in(current_organisation(request))
        .select_related("module")
        .order_by("created_at", "pk")
    )
    page = Paginator(waiting, PER_PAGE).get_page(request.GET.get("page"))
    own = waiting.filter(suggested_by=person).exists()
    return render(
        request,
        "resources/review_queue.html",
        {
            "page": page,
            "nobody_else": own and not Person.objects.other_facilitators(person).exists(),
        },
    )


@require_http_methods(["GET", "POST"])
@facilitator_required
def review(request: HttpRequest, resource_id: int) -> HttpResponse:
    found = _resource(request, resource_id)
    person = current_person(request)
    own = found.is_suggested_by(person)
    form = ReviewForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and own:
        form.add_error(None, services.OWN_SUGGESTION)
    elif request.method == "POST" and form.is_valid():
        try:
            services.review(
                resource=found,
                reviewer=person,
                decision=form.cleaned_data["decision"],
                checks=form.checks(),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            done = (
                _("“%(title)s” is now vetted.")
                if found.is_vetted
                else _("“%(title)s” was declined; they will see why.")
            )
            messages.success(request, done % {"title": found.title})
            return redirect("resources_review")
    return render(
        request,
        "resources/review.html",
        {
            "resource": found,
            "form": form,
            "rubric": RUBRIC,
            "own": own,
            "nobody_else": own and not Person.objects.other_facilitators(person).exists(),
        },
        status=400 if form.errors else 200,
    )
