"""JWT signing and strict verification.

Verification trusts nothing in the token header but ``kid``: the algorithm must be on the
allow-list *and* equal the algorithm bound to that key, so ``alg: none`` and
HS256-with-a-public-key confusions are impossible.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping
from typing import Any

import jwt
from jwt.types import Options

from passgate.crypto.issued import IssuedTokens
from passgate.crypto.keys import SigningKey, VerifyingKey
from passgate.models.keys import SUPPORTED_ALGORITHMS

# Claim checks PyJWT makes (times are checked by ``_check_times``, against the injected
# clock). Named one by one, because PyJWT turns them off with the signature check.
_CLAIM_CHECKS: Options = {
    "require": ["exp", "iat", "sub", "iss"],
    "verify_aud": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "verify_nbf": True,
    "verify_exp": False,
    "verify_iat": False,
}
_FULL_CHECK: Options = {**_CLAIM_CHECKS, "verify_signature": True}
_SIGNED_HERE: Options = {**_CLAIM_CHECKS, "verify_signature": False}


class TokenInvalid(Exception):
    """The token failed a check; the message says which (never the token itself)."""


def sign(claims: Mapping[str, Any], key: SigningKey) -> str:
    """A compact JWS of ``claims`` with header ``{alg, kid, typ: JWT}``."""
    return jwt.encode(dict(claims), key.private_key, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT"})


def unverified_kid(token: str) -> str:
    """The ``kid`` in the header, before any verification (to pick the key)."""
    return _kid_of(_unverified_header(token))


def _kid_of(header: Mapping[str, Any]) -> str:
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenInvalid("token has no kid")
    return kid


def _unverified_header(token: str) -> dict[str, Any]:
    """The JOSE header of a compact JWS, decoded but not verified: only to pick the key and
    check its algorithm, before ``jwt.decode`` validates the whole token once. (PyJWT's
    ``get_unverified_header`` checks every character of the whole token on each call: three
    calls cost ~4 % of a refresh's CPU.)"""
    segment = token.split(".", 1)[0]
    try:
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise TokenInvalid("malformed token") from exc
    if not isinstance(header, dict):
        raise TokenInvalid("malformed token")
    return header


def verify(
    token: str,
    find_key: Callable[[str], VerifyingKey | None],
    *,
    issuer: str,
    now: float,
    leeway: float = 5,
    issued: IssuedTokens | None = None,
) -> dict[str, Any]:
    """The claims of ``token`` if its signature, ``iss``, ``aud``, ``exp`` and ``iat`` hold.

    ``find_key`` maps a ``kid`` to the project's key, or ``None`` if unknown. A token in
    ``issued`` (byte for byte one this process signed) skips only the public-key
    signature check; its key and algorithm are still looked up and checked.
    """
    header = _unverified_header(token)
    key = find_key(_kid_of(header))
    if key is None:
        raise TokenInvalid("unknown signing key")
    if header.get("alg") != key.alg or key.alg not in SUPPORTED_ALGORITHMS:
        raise TokenInvalid("algorithm not allowed for this key")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.alg],
            audience=issuer,
            issuer=issuer,
            leeway=0,
            options=_SIGNED_HERE if issued is not None and token in issued else _FULL_CHECK,
        )
    except jwt.PyJWTError as exc:
        raise TokenInvalid(type(exc).__name__) from exc
    _check_times(claims, now, leeway)
    return claims


def _check_times(claims: Mapping[str, Any], now: float, leeway: float) -> None:
    # Checked here, against the injected clock, rather than by PyJWT's wall clock.
    exp, iat = claims["exp"], claims["iat"]
    if not isinstance(exp, int) or not isinstance(iat, int):
        raise TokenInvalid("exp and iat must be integers")
    if exp <= now - leeway:
        raise TokenInvalid("token expired")
    if iat > now + leeway:
        raise TokenInvalid("token issued in the future")
