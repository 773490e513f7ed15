from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.db.models.lookups import GreaterThanOrEqual
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bridgework.accounts import settings_sections
from bridgework.accounts.access import current_organisation, current_person, role_required
from bridgework.accounts.fields import ask_again_for_secrets
from bridgework.accounts.models import Role
from bridgework.lib.suppression import DEFAULT_MIN_CELL

from . import auth, handlers, package, services
from .forms import TeamsBotForm
from .models import TeamsBot

logger = logging.getLogger(__name__)
admin_required = role_required(Role.PROGRAM_ADMIN)
MAX_ACTIVITY_BYTES = 256 * 1024
# Below this many people the settings page says "fewer than", never how many.
MIN_SHOWN = DEFAULT_MIN_CELL


@require_http_methods(["GET", "POST"])
@admin_required
def teams_settings(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    # Whether at least MIN_SHOWN people have the bot in their chat, or removed it, in the
    # same query. An exact count would move when one colleague tries the app and tell the
    # admin who uses Teams, so the number itself never leaves the database.
    bot = (
        TeamsBot.objects.filter(organisation=organisation)
        .annotate(
            many_in_chats=GreaterThanOrEqual(
                Count("conversations", filter=Q(conversations__installed=True)), MIN_SHOWN
            ),
            many_removed=GreaterThanOrEqual(
                Count("conversations", filter=Q(conversations__installed=False)), MIN_SHOWN
            ),
        )
        .first()
    )
    form = TeamsBotForm(
        request.POST if request.method == "POST" else None,
        instance=bot or TeamsBot(organisation=organisation),
    )
    if request.method == "POST" and form.is_valid():
        changed = form.changed_settings()
        replaced = services.save_bot(
            bot=form.instance,
            actor=current_person(request),
            new_secret=form.cleaned_data["client_secret"],
            changed=changed,
        )
        saved = (
            _(
                "Microsoft Teams settings saved; people linked before link again, through the "
                "new app. The settings are checked when Teams first writes to the bot: this "
                "page says when it has."
            )
            if replaced
            else _(
                "Microsoft Teams settings saved. They are checked when Teams first writes to "
                "the bot: this page says when it has."
            )
        )
        messages.success(request, saved)
        return redirect("teams_settings")
    ask_again_for_secrets(form)
    return render(
        request,
        "teams/settings.html",
        {
            "form": form,
            "bot": bot,
            "messaging_endpoint": settings.BASE_URL + reverse("teams_messages"),
            "minimum": MIN_SHOWN,
            "settings_sections": settings_sections.sections(),
        },
        status=400 if form.errors else 200,
    )


@require_POST
@admin_required
def teams_disconnect(request: HttpRequest) -> HttpResponse:
    bot = TeamsBot.objects.filter(organisation=current_organisation(request)).first()
    if bot is None:
        raise Http404("Teams is not set up.")
    services.disconnect_bot(bot=bot, actor=current_person(request))
    messages.success(request, _("Microsoft Teams is disconnected. Nothing more is sent there."))
    return redirect("teams_settings")


@require_http_methods(["GET"])
@admin_required
def teams_package(request: HttpRequest) -> HttpResponse:
    bot = TeamsBot.objects.filter(organisation=current_organisation(request)).first()
    if bot is None:
        raise Http404("Teams is not set up.")
    response = HttpResponse(package.build(bot), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="bridgework-teams-app.zip"'
    return response


@csrf_exempt  # authenticated by the Bot Framework's signed token alone, never by a cookie
@require_POST
def teams_messages(request: HttpRequest) -> HttpResponse:
    """Where Teams posts every activity for our bots (the bot's messaging endpoint)."""
    authorization = request.headers.get("Authorization", "")
    if not authorization.lower().startswith("bearer "):
        return HttpResponse(status=401)
    if len(request.body) > MAX_ACTIVITY_BYTES:
        return HttpResponse(status=413)
    try:
        activity = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    if not isinstance(activity, dict):
        return HttpResponse(status=400)
    try:
        bot = auth.verify(
            authorization,
            service_url=str(activity.get("serviceUrl", "")),
            channel_id=str(activity.get("channelId", "")),
        )
    except auth.NotFromTeams as refusal:
        logger.info("teams: refused an activity (%s)", refusal)
        return HttpResponse(status=401)
    if handlers.tenant_of(activity) != bot.tenant_id:
        logger.info("teams: bot %s refused an activity from another tenant", bot.pk)
        return HttpResponse(status=403)
    answer = handlers.handle(bot, activity)
    if answer is None:
        return HttpResponse(status=200)
    return JsonResponse(answer)
