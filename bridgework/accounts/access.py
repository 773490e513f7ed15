"""Small access helpers used by every view. Someone else's object is always a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import CommunityGroup, Organisation, Person

View = Callable[..., HttpResponse]


def current_person(request: HttpRequest) -> Person:
    person = request.user
    assert isinstance(person, Person)
    return person


def current_organisation(request: HttpRequest) -> Organisation:
    organisation = current_person(request).organisation
    if organisation is None:
        # Platform operators belong to no organisation and use the admin site instead.
        raise PermissionDenied("This page belongs to an organisation.")
    return organisation


def member_required(view: View) -> View:
    """Signed in and belonging to an organisation."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        current_organisation(request)
        return view(request, *args, **kwargs)

    return wrapper


def role_required(role: str) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @member_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not current_person(request).has_role(role):
                raise PermissionDenied("Your role does not include this page.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_person_in_organisation(request: HttpRequest, person_id: int) -> Person:
    person = Person.objects.filter(pk=person_id, organisation=current_organisation(request)).first()
    if person is None:
        raise Http404("No such person.")
    return person


def get_group_in_organisation(request: HttpRequest, group_id: int) -> CommunityGroup:
    group = (
        CommunityGroup.objects.in_organisation(current_organisation(request))
        .filter(pk=group_id)
        .first()
    )
    if group is None:
        raise Http404("No such group.")
    return group
