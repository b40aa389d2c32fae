"""A SAML 2.0 identity provider on loopback for the SSO tests: pysaml2's ``Server`` (signing
with Debian's ``xmlsec1``) behind a small HTTP server. ``GET /sso/redirect`` takes an
AuthnRequest (HTTP-Redirect binding) and shows a login form; ``POST /sso/login`` answers the
signed response as pysaml2's auto-posting HTML form (HTTP-POST binding) to the SP's ACS.

The login name decides the assertion: ``alice@acme.example.com;groups=a,b`` puts the user
in groups a and b. The IdP can be made to misbehave, as the negative tests need: no
signature on the assertion (``sign_assertion=False``), a SHA-1 signature (``sha1``), or
assertions that expired before they were issued (``lifetime_minutes`` < 0).
"""

from __future__ import annotations

import datetime
import html
import re
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.oauth.loopback import Answering, serving
from tests.support import free_port, unavailable


@dataclass(frozen=True)
class Certificate:
    key_file: Path
    cert_file: Path

    @property
    def pem_body(self) -> str:
        """The certificate as the SSO settings take it (PEM)."""
        return self.cert_file.read_text()


def self_signed(folder: Path, name: str) -> Certificate:
    """An RSA key and a self-signed certificate for ``name``, written to ``folder``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)  # noqa: TID251 - a test certificate's validity, not passgate's clock
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_file, cert_file = folder / f"{name}.key", folder / f"{name}.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Certificate(key_file, cert_file)


def xmlsec1() -> str:
    found = shutil.which("xmlsec1")
    if found is None:
        unavailable("xmlsec1 not found (scripts/browser-deps installs Debian's xmlsec1 for the SAML IdP)")
    return found


@dataclass
class SamlIdP:
    """A running IdP: its URLs and certificate, for the tenant's SAML settings."""

    url: str
    certificate: Certificate
    pending: dict[str, tuple[Any, str]] = field(default_factory=dict)

    @property
    def entity_id(self) -> str:
        return f"{self.url}/metadata"

    @property
    def sso_url(self) -> str:
        return f"{self.url}/sso/redirect"


@contextmanager
def saml_idp(
    folder: Path,
    sp_metadata: str,
    *,
    sign_assertion: bool = True,
    lifetime_minutes: int = 15,
    sha1: bool = False,
    port: int = 0,
) -> Iterator[SamlIdP]:
    """The IdP on ``port`` (a free one if 0), trusting the SP of ``sp_metadata``; it signs
    with RSA-SHA256 unless ``sha1`` (a deprecated algorithm the SP must refuse)."""
    from saml2 import BINDING_HTTP_POST, BINDING_HTTP_REDIRECT
    from saml2.config import IdPConfig
    from saml2.saml import NAME_FORMAT_BASIC, NAMEID_FORMAT_EMAILADDRESS, NameID
    from saml2.server import Server
    from saml2.xmldsig import DIGEST_SHA1, DIGEST_SHA256, SIG_RSA_SHA1, SIG_RSA_SHA256

    port = port or free_port()
    url = f"http://127.0.0.1:{port}"
    certificate = (
        Certificate(folder / "idp.key", folder / "idp.pem")
        if (folder / "idp.pem").exists()
        else self_signed(folder, "idp")
    )
    config = IdPConfig()
    config.load(
        {
            "entityid": f"{url}/metadata",
            "service": {
                "idp": {
                    "endpoints": {"single_sign_on_service": [(f"{url}/sso/redirect", BINDING_HTTP_REDIRECT)]},
                    "policy": {
                        "default": {
                            "lifetime": {"minutes": lifetime_minutes},
                            "attribute_restrictions": None,
                            "name_form": NAME_FORMAT_BASIC,
                        }
                    },
                    "name_id_format": [NAMEID_FORMAT_EMAILADDRESS],
                    "want_authn_requests_signed": False,
                }
            },
            "key_file": str(certificate.key_file),
            "cert_file": str(certificate.cert_file),
            "xmlsec_binary": xmlsec1(),
            "metadata": {"inline": [sp_metadata]},
            "delete_tmpfiles": True,
        }
    )
    server = Server(config=config)
    idp = SamlIdP(url=url, certificate=certificate)

    def respond(key: str, login: str) -> str:
        authn_request, relay_state = idp.pending.pop(key)
        email, _, groups = login.partition(";groups=")
        identity: dict[str, list[str]] = {"mail": [email], "givenName": ["Given"], "sn": ["Family"]}
        if groups:
            identity["groups"] = groups.split(",")
        arguments = server.response_args(authn_request)
        response = server.create_authn_response(
            identity,
            userid=email,
            name_id=NameID(format=NAMEID_FORMAT_EMAILADDRESS, text=email),
            authn={"class_ref": "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"},
            sign_assertion=sign_assertion,
            sign_response=False,
            sign_alg=SIG_RSA_SHA1 if sha1 else SIG_RSA_SHA256,
            digest_alg=DIGEST_SHA1 if sha1 else DIGEST_SHA256,
            **arguments,
        )
        posted = server.apply_binding(
            BINDING_HTTP_POST, str(response), arguments["destination"], relay_state, response=True
        )
        return str(posted["data"])

    class Handler(Answering):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(parts.query).items()}
            if parts.path != "/sso/redirect":
                self.send_page(404, "not found")
                return
            parsed = server.parse_authn_request(query["SAMLRequest"], BINDING_HTTP_REDIRECT)
            key = secrets.token_hex(8)
            idp.pending[key] = (parsed.message, query.get("RelayState", ""))
            self.send_page(
                200,
                f'<form method="post" action="/sso/login"><input type="hidden" name="key" value="{key}">'
                '<input name="login"><input type="password" name="password">'
                '<button type="submit">Sign in</button></form>',
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            self.send_page(200, respond(form["key"], form["login"]))

    with serving(Handler, port):
        yield idp


_INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', re.S)
_ACTION = re.compile(r'<form[^>]*action="([^"]+)"', re.S)


def posted_form(page: str) -> tuple[str, dict[str, str]]:
    """The action and fields of the auto-posting form an IdP answered (what a browser posts)."""
    action = _ACTION.search(page)
    assert action is not None, page[:500]
    return html.unescape(action.group(1)), {name: html.unescape(value) for name, value in _INPUT.findall(page)}
