"""A real SAML 2.0 identity provider for the SSO tests: pysaml2's `Server`, with its own
self-signed certificate, answering our authentication requests with signed assertions.

The test drives it in-process: it parses the AuthnRequest our side put in the redirect,
and returns the signed Response a browser would post back to our assertion consumer.
"""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from saml2 import BINDING_HTTP_REDIRECT
from saml2.authn_context import PASSWORDPROTECTEDTRANSPORT
from saml2.config import IdPConfig
from saml2.metadata import entity_descriptor
from saml2.saml import NAME_FORMAT_URI, NAMEID_FORMAT_EMAILADDRESS, NameID
from saml2.server import Server
from saml2.xmldsig import DIGEST_SHA256, SIG_RSA_SHA256


def _key_and_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(tz=UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, hashes.SHA256())
    )
    key_path, cert_path = folder / f"{name}.key", folder / f"{name}.pem"
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class SamlIdP:
    SSO_URL = "https://idp.acme.test/sso/redirect"

    def __init__(self, folder: Path, *, entity_id: str = "https://idp.acme.test/saml") -> None:
        self.entity_id = entity_id
        key, cert = _key_and_certificate(folder, f"idp-{secrets.token_hex(4)}")
        self._settings: dict[str, Any] = {
            "entityid": entity_id,
            "service": {
                "idp": {
                    "endpoints": {
                        "single_sign_on_service": [(self.SSO_URL, BINDING_HTTP_REDIRECT)]
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": 5},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_URI,
                        }
                    },
                }
            },
            "key_file": str(key),
            "cert_file": str(cert),
            "xmlsec_binary": "/usr/bin/xmlsec1",
        }
        self.config = IdPConfig().load(self._settings)
        self.server: Server | None = None

    def metadata(self) -> str:
        """The IdP metadata an admin pastes into the Sign-in settings."""
        return str(entity_descriptor(self.config))

    def trust(self, *sp_metadata: str) -> None:
        """Load our service provider's metadata, as an admin uploads it to their IdP."""
        config = IdPConfig().load({**self._settings, "metadata": {"inline": list(sp_metadata)}})
        self.server = Server(config=config)

    def answer(
        self,
        redirect_url: str,
        *,
        email: str,
        name: str,
        audience: str | None = None,
    ) -> dict[str, str]:
        """The form a browser would post to our assertion consumer: a signed Response."""
        query = parse_qs(urlsplit(redirect_url).query)
        assert self.server is not None, "trust() our metadata first"
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        message = request.message
        destination = message.assertion_consumer_service_url
        response: Any = self.server.create_authn_response(
            identity={
                "mail": [email],
                "displayName": [name],
                "eduPersonAffiliation": ["member"],
            },
            in_response_to=message.id,
            destination=destination,
            sp_entity_id=audience or message.issuer.text,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            userid=email,
            authn={"class_ref": PASSWORDPROTECTEDTRANSPORT},
            sign_assertion=True,
            sign_response=True,
            sign_alg=SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA256,
        )
        encoded = base64.b64encode(str(response).encode()).decode()
        return {"SAMLResponse": encoded, "RelayState": query.get("RelayState", [""])[0]}
