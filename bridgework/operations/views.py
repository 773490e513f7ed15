"""The health endpoint a load balancer probes."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import health


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """For load balancers: 200 when every check passes, 503 (with each check's finding) if not."""
    report = health.probe_health()
    return JsonResponse(report.as_json(), status=200 if report.ok else 503)
