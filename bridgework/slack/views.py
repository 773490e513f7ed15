from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from slack_sdk.errors import SlackApiError

from bridgework.accounts import settings_sections
from bridgework.accounts.access import current_organisation, current_person, role_required
from bridgework.accounts.fields import ask_again_for_secrets
from bridgework.accounts.models import Role

from . import incoming, oauth, services
from .forms import PastedTokenForm
from .models import SlackWorkspace

admin_required = role_required(Role.PROGRAM_ADMIN)


def _settings_page(request: HttpRequest, form: PastedTokenForm) -> HttpResponse:
    organisation = current_organisation(request)
    workspace = SlackWorkspace.objects.filter(organisation=organisation).first()
    base = request.build_absolute_uri("/").rstrip("/")
    ask_again_for_secrets(form)
    response = render(
        request,
        "slack/settings.html",
        {
            "form": form,
            "workspace": workspace,
            "oauth": oauth.configured(),
            "urls": {
                "events": base + reverse("slack_events"),
                "interactivity": base + reverse("slack_interactivity"),
                "commands": base + reverse("slack_commands"),
            },
            "settings_sections": settings_sections.sections(),
        },
        status=400 if form.errors else 200,
    )
    if oauth.configured():
        # "Add to Slack" posts to us and we redirect to Slack; browsers hold that redirect to
        # the page's form-action too, so this page names Slack's authorize origin.
        allowed = [*settings.SECURE_CSP.get("form-action", []), oauth.authorize_origin()]
        response._csp_config = {**settings.SECURE_CSP, "form-action": allowed}  # type: ignore[attr-defined]
    return response


@require_http_methods(["GET", "POST"])
@admin_required
def slack_settings(request: HttpRequest) -> HttpResponse:
    form = PastedTokenForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.connect_pasted(
                organisation=current_organisation(request),
                actor=current_person(request),
                bot_token=form.cleaned_data["bot_token"],
                signing_secret=form.cleaned_data["signing_secret"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                for message in errors:
                    form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(
                request,
                _("Slack is connected; people linked before link again, through this app."),
            )
            return redirect("slack_settings")
    return _settings_page(request, form)


@require_POST
@admin_required
def slack_disconnect(request: HttpRequest) -> HttpResponse:
    services.disconnect(organisation=current_organisation(request))
    messages.success(request, _("Slack is disconnected; nothing more is sent there."))
    return redirect("slack_settings")


@require_POST
@admin_required
def slack_install(request: HttpRequest) -> HttpResponse:
    if not oauth.configured():
        messages.error(request, _("“Add to Slack” is not set up on this server."))
        return redirect("slack_settings")
    request.session.save()  # the state names the session, so it needs a key now
    return redirect(oauth.authorize_url(request, current_person(request)))


@require_GET
@admin_required
def slack_oauth_callback(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    code = request.GET.get("code", "")
    if not code or not oauth.state_is_valid(request, person, request.GET.get("state", "")):
        messages.error(request, _("Slack was not connected: start again from this page."))
        return redirect("slack_settings")
    try:
        oauth.finish(organisation=current_organisation(request), actor=person, code=code)
    except (ValidationError, SlackApiError):
        messages.error(request, _("Slack did not complete the installation. Try again."))
    else:
        messages.success(request, _("Slack is connected."))
    return redirect("slack_settings")


# --- requests from Slack: no session, no CSRF token; the signature is the proof -----------


def _form(request: HttpRequest) -> QueryDict:
    """Slack posts URL-encoded forms. The body is read first, as the signature covers it
    (Django refuses the raw body once request.POST has consumed it)."""
    return QueryDict(request.body.decode("utf-8", "replace"))


def _unverified() -> HttpResponse:
    return HttpResponse("Signature not valid.", status=401, content_type="text/plain")


@csrf_exempt
@require_POST
def slack_events(request: HttpRequest) -> HttpResponse:
    envelope = incoming.parse_payload(request.body.decode("utf-8", "replace"))
    if envelope is None:
        return HttpResponse(status=400)
    if envelope.get("type") == "url_verification":
        if not incoming.verified_by_any(request.body, request.headers):
            return _unverified()
        return JsonResponse({"challenge": str(envelope.get("challenge", ""))})
    workspace = incoming.verified_workspace(
        str(envelope.get("team_id", "")), request.body, request.headers
    )
    if workspace is None:
        return _unverified()
    incoming.handle_event(workspace, envelope)
    return HttpResponse(status=200)


@csrf_exempt
@require_POST
def slack_interactivity(request: HttpRequest) -> HttpResponse:
    payload = incoming.parse_payload(_form(request).get("payload", ""))
    if payload is None:
        return HttpResponse(status=400)
    team_id = str((payload.get("team") or {}).get("id", ""))
    workspace = incoming.verified_workspace(team_id, request.body, request.headers)
    if workspace is None:
        return _unverified()
    answer = incoming.handle_interaction(workspace, payload)
    return JsonResponse(answer) if answer else HttpResponse(status=200)


@csrf_exempt
@require_POST
def slack_commands(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    workspace = incoming.verified_workspace(form.get("team_id", ""), request.body, request.headers)
    if workspace is None:
        return _unverified()
    fields = {key: str(form.get(key, "")) for key in ("team_id", "user_id", "text")}
    return JsonResponse(incoming.handle_command(workspace, fields))
