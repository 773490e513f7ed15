"""allauth SAML settings for an organisation's identity provider."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from .models import IdentityProvider

# Assertions must be signed; the response around them may be too. Deprecated algorithms
# (SHA-1) are refused, and python3-saml's strict mode checks audience, destination,
# issuer and validity times.
ADVANCED = {
    "strict": True,
    "want_assertion_signed": True,
    "reject_deprecated_algorithm": True,
    "want_attribute_statement": False,
    "want_name_id": True,
}


def _idp_from_xml(xml: str) -> dict[str, Any]:
    parsed = OneLogin_Saml2_IdPMetadataParser.parse(xml)["idp"]
    return {
        "entity_id": parsed["entityId"],
        "x509cert": parsed.get("x509cert", ""),
        "sso_url": parsed["singleSignOnService"]["url"],
    }


def saml_settings(provider: IdentityProvider, request: HttpRequest | None) -> dict[str, Any]:
    if provider.saml_metadata_xml:
        idp = _idp_from_xml(provider.saml_metadata_xml)
    else:
        idp = {"metadata_url": provider.saml_metadata_url, "entity_id": None}
    return {"idp": idp, "advanced": dict(ADVANCED)}
