from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import RequestDataTooBig
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from scim2_models import PayloadTooLargeException, SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from scim2_server.service import ScimService

from bridgework.accounts import settings_sections
from bridgework.accounts.access import current_organisation, current_person, role_required
from bridgework.accounts.models import Organisation, Role

from . import services
from .forms import NewTokenForm
from .models import ProvisioningToken
from .scim import PROVIDER, OrganisationStorage

admin_required = role_required(Role.PROGRAM_ADMIN)
SERVICE = ScimService(PROVIDER)


def scim_base_path(organisation: Organisation) -> str:
    return reverse("scim", args=[organisation.slug, "Users"]).removesuffix("/Users")


def _authenticated_organisation(request: HttpRequest, slug: str) -> Organisation | None:
    """The organisation whose SCIM base this is, when the bearer token is one of its own.

    An unknown address, a revoked token or another organisation's token get the same 401,
    so a caller learns nothing about which organisations exist."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = ProvisioningToken.authenticate(secret.strip())
    if token is None or token.organisation.slug != slug:
        return None
    return token.organisation


def _serve(request: HttpRequest, organisation: Organisation, path: str) -> ScimResponse:
    try:
        body = request.body
    except RequestDataTooBig:
        raise PayloadTooLargeException(detail="The request is too large.") from None
    scim_request = ScimRequest(
        method=request.method or "GET",
        base_url=request.build_absolute_uri(scim_base_path(organisation)),
        path=f"/{path}",
        query=request.GET.dict(),
        headers=dict(request.headers),
        body=body,
        subject=organisation,
    )
    # A SCIM error anywhere in the request undoes the whole request.
    with transaction.atomic():
        return ScimHandler(SERVICE, OrganisationStorage(organisation)).handle(scim_request)


@csrf_exempt  # authenticated by its bearer token alone, never by a session cookie
def scim(request: HttpRequest, organisation_slug: str, path: str) -> HttpResponse:
    organisation = _authenticated_organisation(request, organisation_slug)
    try:
        if organisation is None:
            raise UnauthorizedException(
                detail="Send a provisioning token of this organisation as a bearer token."
            )
        response = _serve(request, organisation, path)
    except SCIMException as error:
        response = SERVICE.error_response(error)
    http_response = HttpResponse(
        b"" if response.body is None else json.dumps(response.body).encode(),
        status=response.status,
        content_type=response.headers.pop("Content-Type"),
    )
    for name, value in response.headers.items():
        http_response[name] = value
    http_response["Cache-Control"] = "no-store"
    return http_response


def _tokens_page(
    request: HttpRequest, form: NewTokenForm, new_secret: str | None = None
) -> HttpResponse:
    organisation = current_organisation(request)
    return render(
        request,
        "provisioning/settings.html",
        {
            "form": form,
            "new_secret": new_secret,
            "base_url": settings.BASE_URL + scim_base_path(organisation),
            "tokens": ProvisioningToken.objects.filter(organisation=organisation)
            .usable()
            .select_related("created_by"),
            "settings_sections": settings_sections.sections(),
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def provisioning_tokens(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    form = NewTokenForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            _, secret = services.make_token(
                organisation=organisation,
                actor=current_person(request),
                name=form.cleaned_data["name"],
            )
        except IntegrityError:
            # Another admin made a token of this name since the form was checked. Checked
            # again, the form says so, as it would have a moment later.
            form.full_clean()
            if form.is_valid():
                raise
            return _tokens_page(request, form)
        # The secret is shown in this answer only: not in a message (kept in the session),
        # not in a redirect's address.
        return _tokens_page(request, NewTokenForm(organisation=organisation), new_secret=secret)
    return _tokens_page(request, form)


@require_http_methods(["GET", "POST"])
@admin_required
def revoke_provisioning_token(request: HttpRequest, token_id: int) -> HttpResponse:
    """Asks first: whatever the identity provider sends with the token is refused from then on."""
    token = get_object_or_404(
        ProvisioningToken, pk=token_id, organisation=current_organisation(request)
    )
    if token.revoked_at is not None:
        # From a page opened before another admin revoked it.
        messages.info(
            request, gettext("The token “%(name)s” was revoked already.") % {"name": token.name}
        )
        return redirect("provisioning_tokens")
    if request.method == "GET":
        return render(
            request,
            "provisioning/revoke.html",
            {"token": token, "settings_sections": settings_sections.sections()},
        )
    services.revoke_token(token=token, actor=current_person(request))
    messages.success(
        request,
        gettext("The token “%(name)s” is revoked; it no longer works.") % {"name": token.name},
    )
    return redirect("provisioning_tokens")
