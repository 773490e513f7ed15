from __future__ import annotations

import logging

from allauth.account.views import PasswordResetView
from allauth.core import ratelimit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import (
    OAuth2CallbackView,
    OAuth2LoginView,
    OAuth2View,
)
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csp import get_nonce
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.csp import CSP, build_policy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from bridgework.accounts import settings_sections
from bridgework.accounts.access import current_organisation, current_person, role_required
from bridgework.accounts.fields import ask_again_for_secrets
from bridgework.accounts.models import Role

from . import services
from .adapter import could_not_reach, login_url, refusal_page
from .destinations import sign_in_origins
from .forms import FindProviderForm, IdentityProviderForm, ResetPasswordForm
from .models import IdentityProvider
from .provider import DiscoveryUnavailable, OrganisationOIDCAdapter

logger = logging.getLogger(__name__)
admin_required = role_required(Role.PROGRAM_ADMIN)


@require_http_methods(["GET", "POST"])
@admin_required
def sso_settings(request: HttpRequest) -> HttpResponse:
    organisation = current_organisation(request)
    provider = IdentityProvider.objects.filter(organisation=organisation).first()
    form = IdentityProviderForm(
        request.POST or None,
        instance=provider or IdentityProvider(organisation=organisation),
        organisation=organisation,
    )
    if request.method == "POST" and form.is_valid():
        changed = form.changed_settings()
        services.save_identity_provider(
            provider=form.instance,
            actor=current_person(request),
            new_secret=form.cleaned_data["client_secret"],
            changed=changed,
        )
        messages.success(
            request,
            gettext("Sign-in settings saved.") if changed else gettext("Nothing had changed."),
        )
        return redirect("sso_settings")
    ask_again_for_secrets(form)
    return render(
        request,
        "sso/settings.html",
        {
            "form": form,
            "identity_provider": provider,
            "needs_domains": not organisation.email_domains,
            "settings_sections": settings_sections.sections(),
        },
    )


@require_http_methods(["GET", "POST"])
@admin_required
def remove_provider(request: HttpRequest) -> HttpResponse:
    """Ask to confirm, then disconnect the organisation's identity provider."""
    provider = get_object_or_404(
        IdentityProvider.objects.select_related("organisation"),
        organisation=current_organisation(request),
    )
    refusal = services.removal_refusal(provider)
    if request.method == "POST" and not refusal:
        services.remove_identity_provider(provider=provider, actor=current_person(request))
        messages.success(
            request,
            gettext("%(provider)s is no longer connected.") % {"provider": provider.display_name},
        )
        return redirect("sso_settings")
    return render(
        request,
        "sso/remove.html",
        {
            "identity_provider": provider,
            "refusal": refusal,
            "settings_sections": settings_sections.sections(),
        },
        status=400 if refusal and request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def find_provider(request: HttpRequest) -> HttpResponse:
    """Type your work address, continue with your organisation's identity provider."""
    form = FindProviderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        provider = IdentityProvider.objects.for_email(form.cleaned_data["email"])
        if provider is not None:
            return redirect("sso_start", organisation_slug=provider.slug)
        form.add_error(
            "email",
            gettext(
                "No organisation signs in through an identity provider at that address. Sign "
                "in with your password instead."
            ),
        )
    return render(request, "sso/find.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET"])
def start(request: HttpRequest, organisation_slug: str) -> HttpResponse:
    """The organisation's address: one button that goes to its identity provider."""
    provider = (
        IdentityProvider.objects.select_related("organisation")
        .filter(organisation__slug=organisation_slug)
        .first()
    )
    if provider is None:
        raise Http404("No identity provider here.")
    # Where to land afterwards, e.g. back on "Delete my account" after signing in again.
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    response = render(
        request,
        "sso/start.html",
        {"identity_provider": provider, "login_url": login_url(provider), "next_url": next_url},
    )
    # The button posts to us and we redirect to the provider; browsers hold that redirect
    # to the page's form-action too, so this one page also names where the provider signs
    # people in (its authorization endpoint, which may be on another origin than its issuer).
    # The middleware leaves a policy the view has set alone; the nonce is the request's own.
    form_action = [*settings.SECURE_CSP.get("form-action", []), *sign_in_origins(provider)]
    policy = {**settings.SECURE_CSP, "form-action": form_action}
    response.headers[str(CSP.HEADER_ENFORCE)] = build_policy(policy, get_nonce(request))
    return response


def _oidc_view(
    view_class: type[OAuth2View], request: HttpRequest, provider_id: str
) -> HttpResponse:
    try:
        response: HttpResponse = view_class.adapter_view(
            OrganisationOIDCAdapter(request, provider_id)
        )(request)
    except SocialApp.DoesNotExist:
        raise Http404("No identity provider here.") from None
    except DiscoveryUnavailable as unavailable:
        provider = get_object_or_404(
            IdentityProvider.objects.select_related("organisation"),
            organisation__slug=provider_id,
        )
        logger.warning(
            "sso: sign-in refused for organisation %s: discovery document unreadable (%s)",
            provider.organisation_id,
            unavailable.reason,
        )
        return refusal_page(
            request,
            provider=provider,
            message=could_not_reach(provider.display_name),
            status=502,
        )
    return response


@require_http_methods(["POST"])
def oidc_login(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _oidc_view(OAuth2LoginView, request, provider_id)


@require_http_methods(["GET"])
def oidc_callback(request: HttpRequest, provider_id: str) -> HttpResponse:
    return _oidc_view(OAuth2CallbackView, request, provider_id)


class ResetPasswordView(PasswordResetView):
    """The "forgot your password?" page. At an organisation that signs in only through its
    identity provider, the answer is to sign in there (only its break-glass program admin is
    sent a reset link); everyone else gets allauth's reset as usual."""

    def form_valid(self, form: ResetPasswordForm) -> HttpResponse:
        provider = form.identity_provider
        if provider is None:
            response: HttpResponse = super().form_valid(form)
            return response
        limited: HttpResponse | None = ratelimit.consume_or_429(
            self.request, action="reset_password", key=form.cleaned_data["email"].lower()
        )
        if limited:
            return limited
        if form.users or form.without_password:
            form.save(self.request)
        return render(
            self.request,
            "sso/password_reset.html",
            {"identity_provider": provider},
        )


reset_password = ResetPasswordView.as_view()


@require_http_methods(["GET", "POST"])
def confirm_link(request: HttpRequest, token: str) -> HttpResponse:
    """From the owner's inbox: a page with one button (a mail scanner that opens the link
    confirms nothing), then the link is made and they sign in through the provider."""
    pending = services.pending_link(token)
    if pending is None:
        return render(request, "sso/confirm_link.html", {"expired": True}, status=404)
    provider = (
        IdentityProvider.objects.select_related("organisation")
        .filter(organisation=pending.person.organisation)
        .first()
    )
    if provider is None or provider.slug != pending.account_provider:
        return render(request, "sso/confirm_link.html", {"expired": True}, status=404)
    if request.method == "POST":
        linked = services.confirm_link(pending)
        if linked is None:
            return render(request, "sso/confirm_link.html", {"expired": True}, status=404)
        return render(
            request, "sso/confirm_link.html", {"linked": True, "identity_provider": linked}
        )
    return render(
        request,
        "sso/confirm_link.html",
        {"identity_provider": provider, "person": pending.person},
    )
