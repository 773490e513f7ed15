"""The floor: the cheapest Django page there is, to measure Bridgework's pages against.

One view returning `HttpResponse("ok")`, no middleware, no apps, no database. The page
benchmark serves it with the same Python and gunicorn as Bridgework:

    gunicorn bench.floor:application
"""

from __future__ import annotations

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY="the-floor-has-no-secrets",
    ROOT_URLCONF=__name__,
    ALLOWED_HOSTS=["*"],
    MIDDLEWARE=[],
    INSTALLED_APPS=[],
    DATABASES={},
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [path("", ok)]

application = get_wsgi_application()
