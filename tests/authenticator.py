"""A software WebAuthn authenticator and browser, for tests and the benchmark: it answers a
start's ``options`` text as Chromium and ``@descope/web-js-sdk`` would (attestation
``none``, ES256 keys, the credential JSON of contract part 2 §1.3), with knobs to make the
answer wrong in each way a server must notice. A fake at the process boundary: passgate's
own code is not touched. Importable without pytest.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import struct
from dataclasses import dataclass, field
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

UP, UV, AT = 0x01, 0x04, 0x40  # authenticator data flags: user present, verified; attested data


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Credential:
    """A passkey the authenticator holds."""

    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0

    @property
    def id_text(self) -> str:
        return b64url(self.id)


@dataclass
class Authenticator:
    """Holds passkeys; ``register`` answers create options, ``sign`` answers get options."""

    origin: str
    credentials: list[Credential] = field(default_factory=list)

    def register(self, options: str, *, origin: str | None = None, rp_id: str | None = None) -> str:
        """The registration credential JSON for create ``options`` (``origin``/``rp_id``
        override what a browser would put in, to forge)."""
        public_key = json.loads(options)["publicKey"]
        credential = Credential(
            id=secrets.token_bytes(32),
            key=ec.generate_private_key(ec.SECP256R1()),
            rp_id=public_key["rp"]["id"],
            user_handle=unb64url(public_key["user"]["id"]),
        )
        self.credentials.append(credential)
        client_data = _client_data("webauthn.create", public_key["challenge"], origin or self.origin)
        auth_data = _auth_data(rp_id or credential.rp_id, UP | UV | AT, 0) + _attested(credential)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return json.dumps(
            {
                "id": credential.id_text,
                "rawId": credential.id_text,
                "type": "public-key",
                "response": {"attestationObject": b64url(attestation), "clientDataJSON": b64url(client_data)},
            }
        )

    def sign(
        self,
        options: str,
        credential: Credential | None = None,
        *,
        origin: str | None = None,
        rp_id: str | None = None,
        challenge: str | None = None,
        sign_count: int | None = None,
        tamper: bool = False,
        user_handle: bool = True,
    ) -> str:
        """The assertion JSON for get ``options``, by ``credential`` (default: the first this
        authenticator holds that the options allow). Each assertion advances the sign count,
        unless ``sign_count`` says what to report."""
        public_key = json.loads(options)["publicKey"]
        credential = credential or self._allowed(public_key)
        credential.sign_count = credential.sign_count + 1 if sign_count is None else sign_count
        client_data = _client_data("webauthn.get", challenge or public_key["challenge"], origin or self.origin)
        auth_data = _auth_data(rp_id or credential.rp_id, UP | UV, credential.sign_count)
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        if tamper:
            signature = signature[:-1] + bytes([signature[-1] ^ 1])
        response: dict[str, Any] = {
            "authenticatorData": b64url(auth_data),
            "clientDataJSON": b64url(client_data),
            "signature": b64url(signature),
        }
        if user_handle:
            response["userHandle"] = b64url(credential.user_handle)
        return json.dumps(
            {"id": credential.id_text, "rawId": credential.id_text, "type": "public-key", "response": response}
        )

    def _allowed(self, public_key: dict[str, Any]) -> Credential:
        allowed = {entry["id"] for entry in public_key.get("allowCredentials") or []}
        for credential in self.credentials:
            if credential.rp_id == public_key["rpId"] and (not allowed or credential.id_text in allowed):
                return credential
        raise LookupError("no passkey for these options")


def _client_data(kind: str, challenge: str, origin: str) -> bytes:
    return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()


def _auth_data(rp_id: str, flags: int, sign_count: int) -> bytes:
    return hashlib.sha256(rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", sign_count)


def _attested(credential: Credential) -> bytes:
    numbers = credential.key.public_key().public_numbers()
    cose = cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})
    return bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + cose
