"""Profile's "Where reminders reach you": choose, link, confirm, unlink. Each answers with
a redirect back to the Profile section and a message saying what happened."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from bridgework.accounts.access import current_person, member_required
from bridgework.community.api import Space

from . import channels, platforms, services
from .forms import ConfirmCodeForm, DestinationForm, SpaceChannelForm
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
            request,
            _("Your reminders now reach you by %(way)s.") % {"way": row.get_destination_display()},
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
            _("We sent a code to you in %(service)s. Enter it below to finish linking.")
            % {"service": platform.label},
        )
    else:
        messages.info(
            request,
            _(
                "We could not find you in %(service)s by your e-mail address. "
                "Ask the Bridgework app there for a code (%(how)s), then enter it below."
            )
            % {"service": platform.label, "how": platform.ask_for_code},
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
        messages.success(
            request,
            _("Linked: your %(service)s account is yours.")
            % {"service": link.get_platform_display()},
        )
    return _back()


@require_POST
@member_required
def unlink(request: HttpRequest, platform_key: str) -> HttpResponse:
    person = current_person(request)
    if not ChatLink.objects.filter(person=person, platform=platform_key).exists():
        raise Http404("No such link.")
    services.unlink(person=person, platform_key=platform_key)
    messages.success(request, _("Unlinked. Nothing more is sent there; reminders come by e-mail."))
    return _back()


@require_http_methods(["GET", "POST"])
@member_required
def space_channel(request: HttpRequest, space_id: int) -> HttpResponse:
    """A facilitator of an allies' space chooses the Slack channel for its published asks."""
    person = current_person(request)
    space = Space.objects.filter(pk=space_id, organisation=person.organisation).first()
    if space is None or space.is_protected or not space.can_moderate(person):
        raise Http404("No such space.")
    slack = platforms.get("slack")
    connected = slack is not None and slack.is_connected(person.organisation)
    chosen = channels.channel_of(space, "slack")
    form = SpaceChannelForm(
        request.POST if request.method == "POST" else None,
        initial={"channel_id": chosen.channel_id if chosen else ""},
    )
    if request.method == "POST" and connected and form.is_valid():
        channel_id = form.cleaned_data["channel_id"]
        channels.choose(space=space, platform_key="slack", channel_id=channel_id)
        messages.success(
            request,
            _("Published asks will be posted there: title and link only.")
            if channel_id
            else _("Nothing more is posted to Slack from this space."),
        )
        return redirect("chat_space_channel", space_id=space.pk)
    return render(
        request,
        "chat/space_channel.html",
        {"space": space, "form": form, "connected": connected, "chosen": chosen},
        status=400 if form.errors or (request.method == "POST" and not connected) else 200,
    )
