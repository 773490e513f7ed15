"""Profile's "Where reminders reach you": choose, link, confirm, unlink. Each answers with
a redirect back to the Profile section and a message saying what happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from bridgework.accounts.access import current_person, member_required

from . import platforms, services
from .forms import ConfirmCodeForm, DestinationForm
from .models import ChatLink, Destination


def _back() -> HttpResponse:
    return redirect(reverse("profile") + "#reminders-heading")


def _platform(request: HttpRequest, key: str) -> platforms.ChatPlatform:
    platform = platforms.get(key)
    if platform is None or not platform.is_connected(current_person(request).organisation):
        raise Http404("No such chat service here.")
    return platform


def _form_error(request: HttpRequest, form: DestinationForm | ConfirmCodeForm) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, str(error))


@require_POST
@member_required
def choose_destination(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    available = [str(Destination.EMAIL)] + [p.key for p in platforms.connected(person.organisation)]
    form = DestinationForm(request.POST, available=available)
    if not form.is_valid():
        _form_error(request, form)
        return _back()
    try:
        row = services.choose_destination(
            person=person, destination=form.cleaned_data["destination"]
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request, f"Your reminders now reach you by {row.get_destination_display()}."
        )
    return _back()


@require_POST
@member_required
def start_link(request: HttpRequest, platform_key: str) -> HttpResponse:
    platform = _platform(request, platform_key)
    try:
        found = services.start_link(person=current_person(request), platform_key=platform.key)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return _back()
    if found:
        messages.success(
            request,
            f"We sent a code to you in {platform.label}. Enter it below to finish linking.",
        )
    else:
        messages.info(
            request,
            f"We could not find you in {platform.label} by your e-mail address. "
            f"Ask the Bridgework app there for a code ({platform.ask_for_code}), "
            "then enter it below.",
        )
    return _back()


@require_POST
@member_required
def confirm_link(request: HttpRequest) -> HttpResponse:
    form = ConfirmCodeForm(request.POST)
    if not form.is_valid():
        _form_error(request, form)
        return _back()
    try:
        link = services.confirm_link(person=current_person(request), code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"Linked: your {link.get_platform_display()} account is yours.")
    return _back()


@require_POST
@member_required
def unlink(request: HttpRequest, platform_key: str) -> HttpResponse:
    person = current_person(request)
    if not ChatLink.objects.filter(person=person, platform=platform_key).exists():
        raise Http404("No such link.")
    services.unlink(person=person, platform_key=platform_key)
    messages.success(request, "Unlinked. Nothing more is sent there; reminders come by e-mail.")
    return _back()
