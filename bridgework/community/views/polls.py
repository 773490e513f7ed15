"""Polls: asking a question of a space, voting, and results once enough have voted."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bridgework.accounts.access import current_person, member_required
from bridgework.accounts.models import Person

from .. import services
from ..forms import PollForm, VoteForm
from ..models import Poll, PollResponse, Space
from .common import _field_errors, _guidelines_first, _refused, _too_many, _writing_in


@require_http_methods(["GET", "POST"])
@member_required
def poll_new(request: HttpRequest, space_id: int) -> HttpResponse:
    person, found, back = _writing_in(request, space_id, "community_poll_new")
    if not found.has_accepted_guidelines(person):
        return _guidelines_first(request, found, back)
    form = PollForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            poll = services.create_poll(
                space=found,
                created_by=person,
                question=data["question"],
                options=data["options"],
                kind=data["kind"],
                is_anonymous=data["is_anonymous"],
                open_days=data["open_days"],
            )
        except services.RateLimited as error:
            return _too_many(request, error, "community/poll_new.html", space=found, form=form)
        except services.GuidelinesNeeded:
            return _guidelines_first(request, found, back)
        except (PermissionDenied, ValidationError) as error:
            _refused(form, error)
        else:
            return redirect(poll)
    return render(
        request,
        "community/poll_new.html",
        {"space": found, "form": form},
        status=400 if form.errors else 200,
    )


def _poll(person: Person, poll_id: int) -> Poll:
    found = (
        Poll.objects.filter(pk=poll_id, space__in=Space.objects.visible_to(person))
        .select_related("space")
        .first()
    )
    if found is None:
        raise Http404("No such poll.")
    return found


@require_http_methods(["GET", "POST"])
@member_required
def poll(request: HttpRequest, poll_id: int) -> HttpResponse:
    person = current_person(request)
    found = _poll(person, poll_id)
    voted = PollResponse.objects.filter(poll=found, person=person).exists()
    form = VoteForm(request.POST if request.method == "POST" else None, poll=found)
    if request.method == "POST" and form.is_valid():
        try:
            services.vote(poll=found, person=person, options=form.chosen())
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("Thank you for voting."))
            return redirect(found)
    return render(
        request,
        "community/poll.html",
        {
            "poll": found,
            "space": found.space,
            "form": form,
            "voted": voted,
            "results": services.poll_results(found),
            "can_close": found.is_open and services.can_close_poll(person, found),
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@member_required
def poll_close(request: HttpRequest, poll_id: int) -> HttpResponse:
    """Asks first: a closed poll takes no more votes, and an anonymous one with fewer than
    five keeps its results hidden for good."""
    person = current_person(request)
    found = _poll(person, poll_id)
    if not services.can_close_poll(person, found):
        raise Http404("No such poll.")
    if request.method == "GET":
        if not found.is_open:
            return redirect(found)
        return render(
            request,
            "community/poll_close.html",
            {"poll": found, "space": found.space, "results": services.poll_results(found)},
        )
    services.close_poll(poll=found, person=person)
    messages.success(request, _("The poll is closed."))
    return redirect(found)
