"""Signing keys: generation, serialisation, and the public JWKS form.

The supported algorithms (the allow-list for signing *and* verifying) are
``models/keys.py``'s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm

from passgate.models.keys import Algorithm

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey


@dataclass(frozen=True)
class SigningKey:
    """A usable key pair: ``kid`` and ``alg`` as published in the JWKS."""

    kid: str
    alg: Algorithm
    private_key: PrivateKey

    @property
    def public_key(self) -> PublicKey:
        return self.private_key.public_key()


@dataclass(frozen=True)
class VerifyingKey:
    """A public key from the JWKS, with the one algorithm it may verify."""

    kid: str
    alg: Algorithm
    public_key: PublicKey


def generate_private_key(alg: Algorithm) -> PrivateKey:
    """A fresh private key for ``alg`` (RSA 2048, P-256 or Ed25519)."""
    if alg == "RS256":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg == "ES256":
        return ec.generate_private_key(ec.SECP256R1())
    return ed25519.Ed25519PrivateKey.generate()


def private_key_to_pem(key: PrivateKey) -> bytes:
    """PKCS#8 PEM, unencrypted (callers seal it before storing)."""
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def private_key_from_pem(pem: bytes) -> PrivateKey:
    """Load a key written by ``private_key_to_pem``."""
    return cast(PrivateKey, serialization.load_pem_private_key(pem, password=None))


def public_jwk(key: PublicKey, alg: Algorithm, kid: str) -> dict[str, Any]:
    """The JWKS entry: key material plus ``alg``, ``kid`` and ``use: sig``.

    Every SDK needs ``alg`` and ``kid``; Go also checks ``use``.
    """
    if isinstance(key, rsa.RSAPublicKey):
        jwk = RSAAlgorithm.to_jwk(key, as_dict=True)
    elif isinstance(key, ec.EllipticCurvePublicKey):
        jwk = ECAlgorithm.to_jwk(key, as_dict=True)
    else:
        jwk = OKPAlgorithm.to_jwk(key, as_dict=True)
    return {**jwk, "alg": alg, "use": "sig", "kid": kid}


def verifying_key_from_jwk(jwk_json: str) -> VerifyingKey:
    """Rebuild a ``VerifyingKey`` from its stored JWKS entry."""
    jwk = json.loads(jwk_json)
    alg = cast(Algorithm, jwk["alg"])
    if alg == "RS256":
        key: object = RSAAlgorithm.from_jwk(jwk)
    elif alg == "ES256":
        key = ECAlgorithm.from_jwk(jwk)
    else:
        key = OKPAlgorithm.from_jwk(jwk)
    return VerifyingKey(kid=jwk["kid"], alg=alg, public_key=cast(PublicKey, key))
