from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from bridgework.accounts import settings_sections
from bridgework.accounts.access import current_organisation, current_person, role_required
from bridgework.accounts.models import Role

from . import services
from .forms import MFAPolicyForm
from .models import MFAPolicy


@require_http_methods(["GET", "POST"])
@role_required(Role.PROGRAM_ADMIN)
def security_settings(request: HttpRequest) -> HttpResponse:
    policy = MFAPolicy.objects.for_organisation(current_organisation(request))
    form = MFAPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        changed = [form.fields[name].label or name for name in form.changed_data]
        services.save_mfa_policy(
            policy=form.instance, actor=current_person(request), changed=changed
        )
        messages.success(
            request,
            gettext("Security settings saved.") if changed else gettext("Nothing had changed."),
        )
        return redirect("security_settings")
    return render(
        request,
        "security/settings.html",
        {"form": form, "settings_sections": settings_sections.sections()},
    )


@require_GET
@login_required
def mfa_required(request: HttpRequest) -> HttpResponse:
    """Where someone who must use MFA and has none yet is sent after a password sign-in."""
    return render(request, "security/mfa_required.html")
