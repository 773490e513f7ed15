"""Middleware for running the site."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from .views import healthz

# The path of the `healthz` view (bridgework/urls.py).
HEALTHZ_PATH = "/healthz"


class HealthzMiddleware:
    """Answers a load balancer's GET /healthz before the rest of the middleware runs.

    The probe needs no session, user, language, CSRF token or security headers, and loading
    them cost several times the check itself (bench/PAGES.md). It also comes from inside
    the network over plain HTTP, so it must not be redirected to HTTPS. Other methods go
    through the usual stack, which answers them 405."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info == HEALTHZ_PATH and request.method in {"GET", "HEAD"}:
            return healthz(request)
        return self.get_response(request)
