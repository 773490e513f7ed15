"""Middleware about the person making the request."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone, translation

from bridgework.lib.cadence import zone_or_utc

from .models import organisation_language


class PrivatePagesMiddleware:
    """Every answer to a signed-in person says `Cache-Control: private, no-store`: their
    journal, practice or community pages must not be kept by a shared proxy, nor by the
    browser on a shared computer after they sign out.

    Static files are answered by WhiteNoise before this middleware is reached, and answers
    to people who are not signed in keep whatever caching their view chose."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        # Asked before the view runs (signing out is still private) and after it (so is the
        # answer to signing in).
        session = getattr(request, "session", None)
        signed_in = session is not None and SESSION_KEY in session
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if signed_in or (user is not None and user.is_authenticated):
            response["Cache-Control"] = "private, no-store"
        return response


class PersonLocaleMiddleware:
    """A signed-in person sees pages in their own language (or their organisation's
    default), with times in their own time zone (or their organisation's); before signing
    in, Django's LocaleMiddleware has already chosen a language from the browser's
    Accept-Language, and times are in the server's zone. Goes after
    AuthenticationMiddleware, which reads the person (and their organisation) in the same
    query as always: choosing costs no query."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        # The person is read now anyway: later readers get them without the lazy proxy.
        request.user = user = getattr(user, "_wrapped", user)
        language = user.preferred_language
        translation.activate(language)
        request.LANGUAGE_CODE = language
        timezone.activate(zone_or_utc(user.usual_time_zone))
        organisation = user.organisation
        token = organisation_language.set(organisation.default_language if organisation else None)
        try:
            return self.get_response(request)
        finally:
            organisation_language.reset(token)
            timezone.deactivate()
