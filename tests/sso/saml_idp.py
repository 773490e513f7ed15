"""A real SAML 2.0 identity provider for the SSO tests: pysaml2's `Server`, with its own
self-signed certificate, answering our authentication requests with signed assertions.

The test drives it in-process: it parses the AuthnRequest our side put in the redirect,
and returns the signed Response a browser would post back to our assertion consumer.
"""

from __future__ import annotations

import base64
import html
import secrets
import threading
from collections.abc import Iterable
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
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response


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


SSO_URL = "https://idp.acme.test/sso/redirect"


class SamlIdP:
    SSO_URL = SSO_URL

    def __init__(
        self,
        folder: Path,
        *,
        entity_id: str = "https://idp.acme.test/saml",
        sso_url: str = SSO_URL,
    ) -> None:
        self.entity_id = entity_id
        self.sso_url = sso_url
        key, cert = _key_and_certificate(folder, f"idp-{secrets.token_hex(4)}")
        self._settings: dict[str, Any] = {
            "entityid": entity_id,
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(sso_url, BINDING_HTTP_REDIRECT)]},
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

    def consumer(self, redirect_url: str) -> str:
        """Where our authentication request asks the response to be posted."""
        query = parse_qs(urlsplit(redirect_url).query)
        assert self.server is not None, "trust() our metadata first"
        request = self.server.parse_authn_request(query["SAMLRequest"][0], BINDING_HTTP_REDIRECT)
        return str(request.message.assertion_consumer_service_url)

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


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


class LoopbackSamlIdP:
    """The same IdP served over HTTP on loopback, as a browser and our server reach a real
    one: its metadata at `metadata_url`, its sign-in page at `/sso/redirect`, which signs in
    `next_person` (as an IdP does for someone with a session there) and shows the form a
    browser posts back to our assertion consumer. `/not-metadata` serves an HTML page."""

    def __init__(self, folder: Path) -> None:
        self._server = make_server(
            "127.0.0.1", 0, self._answer, threaded=True, request_handler=QuietHandler
        )
        self.base = f"http://127.0.0.1:{self._server.server_port}"
        self.metadata_url = f"{self.base}/metadata"
        self.idp = SamlIdP(folder, entity_id=self.metadata_url, sso_url=f"{self.base}/sso/redirect")
        self.next_person: tuple[str, str] | None = None  # (e-mail address, name)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LoopbackSamlIdP:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join()

    def _answer(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if request.path == "/metadata":
            response = Response(self.idp.metadata(), mimetype="application/samlmetadata+xml")
        elif request.path == "/not-metadata":
            response = Response(
                "<!doctype html><title>Welcome</title><p>Hello", mimetype="text/html"
            )
        elif request.path == "/sso/redirect" and self.next_person is not None:
            email, name = self.next_person
            form = self.idp.answer(request.url, email=email, name=name)
            response = Response(self._post_back_page(request.url, form), mimetype="text/html")
        else:
            response = Response("Not found", status=404)
        return response(environ, start_response)

    def _post_back_page(self, redirect_url: str, form: dict[str, str]) -> str:
        assert self.idp.server is not None
        query = parse_qs(urlsplit(redirect_url).query)
        request = self.idp.server.parse_authn_request(
            query["SAMLRequest"][0], BINDING_HTTP_REDIRECT
        )
        action = html.escape(request.message.assertion_consumer_service_url)
        fields = "".join(
            f'<input type="hidden" name="{html.escape(key)}" value="{html.escape(value)}">'
            for key, value in form.items()
        )
        return (
            '<!doctype html><html lang="en"><title>Acme IdP</title><main>'
            f'<form method="post" action="{action}">{fields}'
            '<button type="submit">Continue to Bridgework</button></form></main></html>'
        )
