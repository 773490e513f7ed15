"""allauth's social-account adapter for organisations' identity providers.

Each organisation's identity provider becomes an allauth `SocialApp` built on the fly
from its `IdentityProvider` row (allauth's settings-based apps), so the client secret
stays sealed in our table and organisations never share an app. The adapter also decides
who gets in (`services.person_for_sign_in`) and turns every failure into a sentence on
the sign-in page and one log line.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp, SocialLogin
from allauth.socialaccount.providers.base.constants import AuthError
from django.core.validators import slug_re
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext

from .models import IdentityProvider, Protocol
from .outbound import guard
from .provider import PROVIDER_ID, IdTokenRefused
from .services import (
    SignInRefused,
    Vouched,
    ask_owner_to_confirm_link,
    holds_something,
    person_for_sign_in,
    tell_of_first_link,
)

logger = logging.getLogger(__name__)

SAML_PROVIDER = "saml"
PROTOCOL_OF_PROVIDER = {PROVIDER_ID: Protocol.OIDC, SAML_PROVIDER: Protocol.SAML}


def social_app(provider: IdentityProvider, request: HttpRequest | None = None) -> SocialApp:
    """The allauth app for one organisation's identity provider (never saved)."""
    if provider.protocol == Protocol.OIDC:
        return SocialApp(
            provider=PROVIDER_ID,
            provider_id=provider.slug,
            name=provider.display_name,
            client_id=provider.oidc_client_id,
            secret=provider.oidc_secret() or "",
            settings={
                "server_url": provider.oidc_server_url,
                "fetch_userinfo": False,
                "oauth_pkce_enabled": True,
            },
        )
    from .saml import saml_settings

    return SocialApp(
        provider=SAML_PROVIDER,
        provider_id=provider.slug,
        name=provider.display_name,
        client_id=provider.slug,
        settings=saml_settings(provider, request),
    )


def refusal_page(
    request: HttpRequest, *, provider: IdentityProvider | None, message: str, status: int
) -> HttpResponse:
    return render(
        request,
        "sso/refused.html",
        {"message": message, "identity_provider": provider},
        status=status,
    )


def _identity_provider(slug: str) -> IdentityProvider | None:
    return (
        IdentityProvider.objects.select_related("organisation")
        .filter(organisation__slug=slug)
        .first()
    )


def _unverified(name: str) -> str:
    return gettext(
        "We could not verify the sign-in %(provider)s sent, so you are not signed in. Try "
        "again; if it keeps happening, ask your program admin to check the connection."
    ) % {"provider": name}


def could_not_reach(name: str) -> str:
    return gettext(
        "We could not reach %(provider)s to sign you in, so you are not signed in. Try again "
        "in a few minutes; if it keeps happening, ask your program admin to check the "
        "connection."
    ) % {"provider": name}


def _address_verified(sociallogin: SocialLogin, provider: IdentityProvider) -> bool:
    """Whether the identity provider said it verified the address it sent. OpenID Connect
    says so in `email_verified` (some providers send the string "true"); SAML has no such
    statement, and the organisation's provider asserts the address it holds."""
    if provider.protocol != Protocol.OIDC:
        return True
    email = (sociallogin.user.email or "").lower()
    return any(
        address.email.lower() == email and address.verified in (True, "true")
        for address in sociallogin.email_addresses
    )


class OrganisationSocialAccountAdapter(DefaultSocialAccountAdapter):
    def get_requests_session(self) -> requests.Session:
        # Every fetch for an identity provider (discovery, keys, tokens, SAML metadata).
        return guard(super().get_requests_session())

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        # People come in through `pre_social_login` or not at all.
        return False

    def list_apps(
        self, request: HttpRequest | None, provider: str | None = None, client_id: str | None = None
    ) -> list[SocialApp]:
        slug = client_id if provider == SAML_PROVIDER else provider
        if slug is not None and not slug_re.match(slug):
            # From the address (allauth's SAML URLs take any text): no organisation has it,
            # and PostgreSQL refuses some characters (NUL) outright.
            return []
        rows = IdentityProvider.objects.select_related("organisation")
        if provider in PROTOCOL_OF_PROVIDER:
            rows = rows.filter(protocol=PROTOCOL_OF_PROVIDER[provider])
        if provider == SAML_PROVIDER and client_id is not None:
            # A SAML app's client ID is the organisation's slug: build only that one, so
            # another organisation's unreachable IdP never stands in anyone else's way.
            rows = rows.filter(organisation__slug=client_id)
        elif provider:
            rows = rows.filter(organisation__slug=provider)
        apps = [social_app(row, request) for row in rows]
        return [app for app in apps if client_id is None or app.client_id == client_id]

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        provider = _identity_provider(sociallogin.account.provider)
        if provider is None:
            raise ImmediateHttpResponse(
                refusal_page(
                    request,
                    provider=None,
                    message=gettext(
                        "This organisation no longer signs in through an identity provider."
                    ),
                    status=400,
                )
            )
        vouched = Vouched(
            email=sociallogin.user.email or "",
            name=sociallogin.user.chosen_name or "",
            email_verified=_address_verified(sociallogin, provider),
        )
        try:
            person = person_for_sign_in(provider=provider, vouched=vouched)
        except SignInRefused as refused:
            logger.warning(
                "sso: sign-in refused for organisation %s: %s",
                provider.organisation_id,
                refused.reason,
            )
            raise ImmediateHttpResponse(
                refusal_page(request, provider=provider, message=refused.message, status=403)
            ) from None
        if sociallogin.is_existing:
            if sociallogin.user.pk != person.pk:
                # The provider's subject now carries someone else's address: refuse.
                logger.warning(
                    "sso: sign-in refused for organisation %s: subject linked to another person",
                    provider.organisation_id,
                )
                raise ImmediateHttpResponse(
                    refusal_page(
                        request,
                        provider=provider,
                        message=gettext(
                            "This sign-in belongs to a different Bridgework account. Ask "
                            "your program admin."
                        ),
                        status=403,
                    )
                )
            return
        if holds_something(person) or not vouched.email_verified:
            # Its owner confirms the link from their inbox before the provider's sign-in
            # reaches anything of theirs (or, from an address the provider did not verify,
            # anything at all: whatever is added to the account later would be reached too).
            ask_owner_to_confirm_link(
                provider=provider,
                person=person,
                account_provider=sociallogin.account.provider,
                uid=sociallogin.account.uid,
            )
            raise ImmediateHttpResponse(
                render(request, "sso/confirm_sent.html", {"identity_provider": provider})
            )
        tell_of_first_link(provider=provider, person=person)
        sociallogin.connect(request, person)

    def populate_user(
        self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]
    ) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(
            part for part in (data.get("first_name"), data.get("last_name")) if part
        )
        user.chosen_name = str(name or "")[:80]
        return user

    def send_notification_mail(self, *args: Any, **kwargs: Any) -> None:
        # "A third-party account was connected" makes no sense to someone whose organisation
        # signs them in through its own provider.
        return None

    def on_authentication_error(
        self,
        request: HttpRequest,
        provider: Any,
        error: Any = None,
        exception: Any = None,
        extra_context: Any = None,
    ) -> None:
        slug = getattr(getattr(provider, "app", None), "provider_id", "") or ""
        identity_provider = _identity_provider(slug)
        name = (
            identity_provider.display_name
            if identity_provider
            else gettext("your identity provider")
        )
        if error == AuthError.CANCELLED:
            reason, message = (
                "cancelled at the identity provider",
                gettext("You cancelled signing in at %(provider)s. Start again when you are ready.")
                % {"provider": name},
            )
        elif "saml_errors" in (extra_context or {}):
            detail = str(extra_context.get("saml_last_error_reason") or "")[:160]
            reason, message = (
                f"SAML response refused: {detail}",
                _unverified(name),
            )
        elif exception is None and "state" not in (extra_context or {}):
            reason, message = (
                "state missing or already used",
                gettext("This sign-in had expired or was already used. Please start again."),
            )
        elif isinstance(exception, IdTokenRefused):
            reason, message = (
                exception.reason,
                _unverified(name),
            )
        else:
            detail = type(exception).__name__ if exception else str(error)
            reason, message = (
                f"sign-in failed ({detail})",
                gettext(
                    "Signing in through %(provider)s did not work, so you are not signed in. Try "
                    "again; if it keeps happening, ask your program admin to check the connection."
                )
                % {"provider": name},
            )
        logger.warning(
            "sso: sign-in refused for organisation %s: %s",
            identity_provider.organisation_id if identity_provider else "unknown",
            reason,
        )
        raise ImmediateHttpResponse(
            refusal_page(request, provider=identity_provider, message=message, status=400)
        )


def login_url(provider: IdentityProvider) -> str:
    if provider.protocol == Protocol.OIDC:
        return reverse(f"{PROVIDER_ID}_login", kwargs={"provider_id": provider.slug})
    return reverse("saml_login", kwargs={"organization_slug": provider.slug})
