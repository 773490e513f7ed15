"""SAML 2.0 sign-in: allauth's SAML provider (python3-saml and xmlsec underneath) with the
settings every organisation gets, and a provider class that keeps only name and e-mail
and refuses an assertion it has already seen."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from .models import IdentityProvider, SeenAssertion
from .outbound import UNREADABLE

logger = logging.getLogger(__name__)

# Assertions must be signed, with no deprecated algorithm (SHA-1); strict mode checks the
# audience, destination, issuer and validity times. IdP-initiated sign-in is refused: every
# sign-in answers a request we made, so a captured response cannot start a session.
ADVANCED = {
    "strict": True,
    "want_assertion_signed": True,
    "reject_deprecated_algorithm": True,
    "want_attribute_statement": False,
    "reject_idp_initiated_sso": True,
}
# Only these attributes are read: the subject, the address and the name.
ATTRIBUTE_MAPPING = {
    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
    "email": [
        "urn:oid:0.9.2342.19200300.100.1.3",
        "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        "email",
    ],
    "name": [
        "urn:oid:2.16.840.1.113730.3.1.241",
        "http://schemas.microsoft.com/identity/claims/displayname",
        "displayName",
        "name",
    ],
}
# How long an assertion ID is remembered when the assertion names no end of validity.
DEFAULT_ASSERTION_LIFETIME = timedelta(hours=1)


def _idp_from_xml(xml: str) -> dict[str, Any]:
    parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)["idp"]
    return {
        "entity_id": parsed["entityId"],
        # An IdP rolling over its certificate lists several; the first signing one is used.
        "x509cert": parsed.get("x509cert")
        or (parsed.get("x509certMulti", {}).get("signing") or [""])[0],
        "sso_url": parsed["singleSignOnService"]["url"],
    }


class MetadataUnavailable(Exception):
    """The IdP metadata address did not give readable metadata; the message is a sentence
    for the settings page (the same whatever went wrong, see `outbound.UNREADABLE`)."""


METADATA_TIMEOUT_SECONDS = 10
MAX_METADATA_BYTES = 400_000


def fetch_metadata(url: str) -> str:
    """The IdP metadata XML published at `url`, checked to name an entity ID, a signing
    certificate and a single sign-on address. Read through allauth's requests session, which
    goes only to public addresses (`outbound`); every failure has the same message."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise MetadataUnavailable(gettext("Give an http:// or https:// address."))
    raw = b""
    try:
        with (
            get_adapter().get_requests_session() as session,
            session.get(url, timeout=METADATA_TIMEOUT_SECONDS, stream=True) as response,
        ):
            response.raise_for_status()
            for chunk in response.iter_content(64 * 1024):
                raw += chunk
                if len(raw) > MAX_METADATA_BYTES:
                    break
    except (requests.RequestException, OSError, ValueError):
        raise MetadataUnavailable(str(UNREADABLE)) from None
    xml = raw.decode("utf-8", "replace")
    if len(raw) > MAX_METADATA_BYTES or not sign_in_address_in(xml):
        raise MetadataUnavailable(str(UNREADABLE))
    return xml


def sign_in_address_in(xml: str) -> str:
    """The single sign-on address in IdP metadata; empty when the XML is not such metadata."""
    try:
        idp = _idp_from_xml(xml)
    except Exception:  # python3-saml raises many kinds on bad XML; all mean "unreadable"
        return ""
    return str(idp["sso_url"]) if idp["entity_id"] and idp["x509cert"] else ""


METADATA_CACHE_SECONDS = 3600


def published_metadata(url: str) -> str:
    """The metadata at the IdP's address, read at most once an hour (as allauth would)."""
    key = f"sso:saml-metadata:{url}"
    xml: str | None = cache.get(key)
    if xml is None:
        xml = fetch_metadata(url)
        cache.set(key, xml, METADATA_CACHE_SECONDS)
    return xml


def saml_settings(provider: IdentityProvider, request: HttpRequest | None) -> dict[str, Any]:
    """allauth's settings for one organisation. Metadata published at an address is read
    here rather than by allauth, so an IdP that cannot be reached is a sentence on the page
    (and a log line), never a server error."""
    xml = provider.saml_metadata_xml
    if not xml:
        try:
            xml = published_metadata(provider.saml_metadata_url)
        except MetadataUnavailable as unavailable:
            from .adapter import could_not_reach, refusal_page

            if request is None:
                raise
            logger.warning(
                "sso: SAML metadata of organisation %s unreadable: %s",
                provider.organisation_id,
                str(unavailable)[:60],
            )
            raise ImmediateHttpResponse(
                refusal_page(
                    request,
                    provider=provider,
                    message=could_not_reach(provider.display_name),
                    status=400,
                )
            ) from None
    return {
        "idp": _idp_from_xml(xml),
        "advanced": dict(ADVANCED),
        "attribute_mapping": ATTRIBUTE_MAPPING,
        "use_nameid_for_email": False,
    }


def _remember_assertion(*, organisation_id: int, assertion_id: str, until: Any) -> bool:
    """Record the assertion's ID; False when it was already used (a replay)."""
    expires = (
        datetime.fromtimestamp(until, tz=UTC)
        if isinstance(until, int | float)
        else timezone.now() + DEFAULT_ASSERTION_LIFETIME
    )
    SeenAssertion.objects.filter(
        expires_at__lt=timezone.now() - DEFAULT_ASSERTION_LIFETIME
    ).delete()
    try:
        with transaction.atomic():
            SeenAssertion.objects.create(
                organisation_id=organisation_id, assertion_id=assertion_id[:200], expires_at=expires
            )
    except IntegrityError:
        return False
    return True


class OrganisationSAMLProvider(SAMLProvider):
    def extract_extra_data(self, data: Any) -> dict[str, Any]:
        # The directory may send groups and more; only the subject, address and name stay.
        kept = self._extract(data)
        return {key: kept[key] for key in ("uid", "email", "name") if key in kept}

    def sociallogin_from_response(self, request: HttpRequest, response: Any) -> Any:
        from .adapter import refusal_page

        identity_provider = (
            IdentityProvider.objects.select_related("organisation")
            .filter(organisation__slug=self.app.client_id)
            .first()
        )
        assert identity_provider is not None
        if not _remember_assertion(
            organisation_id=identity_provider.organisation_id,
            assertion_id=response.get_last_assertion_id() or "",
            until=response.get_last_assertion_not_on_or_after(),
        ):
            logger.warning(
                "sso: sign-in refused for organisation %s: SAML assertion replayed",
                identity_provider.organisation_id,
            )
            raise ImmediateHttpResponse(
                refusal_page(
                    request,
                    provider=identity_provider,
                    message=gettext("This sign-in was already used. Please start again."),
                    status=400,
                )
            )
        return super().sociallogin_from_response(request, response)
