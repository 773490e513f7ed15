from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from bridgework.accounts.access import current_person, member_required
from bridgework.lib.pager import keyset_page

from .api import visible_notifications
from .forms import DigestForm
from .models import DigestPreference

NOTIFICATIONS_PER_PAGE = 30


@require_http_methods(["GET", "POST"])
@member_required
def notifications(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    listed = visible_notifications(person)
    if request.method == "POST":
        listed.unread().update(read_at=timezone.now())
        messages.success(request, gettext("All marked as read."))
        return redirect("community_notifications")
    page = keyset_page(listed, request.GET, NOTIFICATIONS_PER_PAGE)
    return render(request, "community/notifications.html", {"page": page})


@require_http_methods(["GET", "POST"])
@member_required
def digest(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    preference, _ = DigestPreference.objects.get_or_create(person=person)
    form = DigestForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": preference.frequency},
    )
    if request.method == "POST" and form.is_valid():
        preference.frequency = form.cleaned_data["frequency"]
        preference.save(update_fields=["frequency"])
        messages.success(request, gettext("Saved."))
        return redirect("community_notifications")
    return render(
        request, "community/digest.html", {"form": form}, status=400 if form.errors else 200
    )
