"""Access helpers shared by the community's views: anything a person may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from bridgework.accounts.access import current_person
from bridgework.accounts.models import Person

from .. import queries, services
from ..models import Post, Space, Thread


def _space(request: HttpRequest, space_id: int, *, moderate: bool = False) -> Space:
    """A space the person may see (or moderate); anything else is a 404."""
    person = current_person(request)
    if moderate:
        spaces = Space.objects.facilitated_by(person)
        space = spaces.filter(pk=space_id).select_related("cohort", "group").first()
    else:
        space = queries.visible_space(person, space_id)
    if space is None:
        raise Http404("No such space.")
    return space


def _writing_in(request: HttpRequest, space_id: int, url_name: str) -> tuple[Person, Space, str]:
    """The person about to write, the space they write in (or a 404), and the address of
    this page, to come back to once they have accepted the space's guidelines."""
    space = _space(request, space_id)
    return current_person(request), space, reverse(url_name, args=[space.pk])


def _thread(request: HttpRequest, thread_id: int) -> Thread:
    thread = queries.visible_thread(current_person(request), thread_id)
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _post(request: HttpRequest, post_id: int) -> Post:
    person = current_person(request)
    post = (
        Post.objects.visible_to(person)
        .filter(pk=post_id)
        .select_related("thread", "space", "author")
        .first()
    )
    if post is None:
        raise Http404("No such post.")
    return post


def _moderated_post(request: HttpRequest, post_id: int) -> Post:
    post = _post(request, post_id)
    if not post.space.can_moderate(current_person(request)):
        raise Http404("No such post.")
    return post


def _field_errors(form: Any, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _refused(form: Any, error: PermissionDenied | ValidationError) -> None:
    """A service's refusal, shown on the form: next to the fields it names, else above them."""
    if isinstance(error, ValidationError):
        _field_errors(form, error)
    else:
        form.add_error(None, str(error))


def _too_many(
    request: HttpRequest, error: services.RateLimited, template: str, **ctx: Any
) -> HttpResponse:
    return render(request, template, {**ctx, "rate_limited": str(error)}, status=429)


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """`next` when it is a path on this site, else `fallback`. Only paths: `redirect()` would
    take a bare word such as "home" for the name of a view."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _guidelines_first(request: HttpRequest, found: Space, back: str) -> HttpResponse:
    messages.info(request, _("Before your first post here, please read this space's guidelines."))
    return redirect(f"{reverse('community_guidelines', args=[found.pk])}?next={back}")


def _after_posting(request: HttpRequest, found: Space, person: Person) -> None:
    if services.needs_nudge(space=found, person=person):
        messages.info(
            request,
            _(
                "You have posted several times here in the last half hour — thank you for "
                "caring. Consider stepping back for a while to make room for other voices."
            ),
        )
