from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bridgework.accounts.access import current_person, member_required

from .models import Space


@require_GET
@member_required
def index(request: HttpRequest) -> HttpResponse:
    person = current_person(request)
    spaces = list(Space.objects.visible_to(person).filter(is_archived=False))
    return render(request, "community/index.html", {"spaces": spaces})
