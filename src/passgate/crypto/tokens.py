"""JWT signing and strict verification.

Verification trusts nothing in the token header but ``kid``: the algorithm must be on the
allow-list *and* equal the algorithm bound to that key, so ``alg: none`` and
HS256-with-a-public-key confusions are impossible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import jwt

from passgate.crypto.keys import SUPPORTED_ALGORITHMS, SigningKey, VerifyingKey


class TokenInvalid(Exception):
    """The token failed a check; the message says which (never the token itself)."""


def sign(claims: Mapping[str, Any], key: SigningKey) -> str:
    """A compact JWS of ``claims`` with header ``{alg, kid, typ: JWT}``."""
    return jwt.encode(dict(claims), key.private_key, algorithm=key.alg, headers={"kid": key.kid, "typ": "JWT"})


def unverified_kid(token: str) -> str:
    """The ``kid`` in the header, before any verification (to pick the key)."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenInvalid("malformed token") from exc
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TokenInvalid("token has no kid")
    return kid


def verify(
    token: str,
    find_key: Callable[[str], VerifyingKey | None],
    *,
    issuer: str,
    now: float,
    leeway: float = 5,
) -> dict[str, Any]:
    """The claims of ``token`` if its signature, ``iss``, ``aud``, ``exp`` and ``iat`` hold.

    ``find_key`` maps a ``kid`` to the project's key, or ``None`` if unknown.
    """
    key = find_key(unverified_kid(token))
    if key is None:
        raise TokenInvalid("unknown signing key")
    try:
        header_alg = jwt.get_unverified_header(token).get("alg")
        if header_alg != key.alg or header_alg not in SUPPORTED_ALGORITHMS:
            raise TokenInvalid("algorithm not allowed for this key")
        claims: dict[str, Any] = jwt.decode(
            token,
            key.public_key,
            algorithms=[key.alg],
            audience=issuer,
            issuer=issuer,
            leeway=0,
            options={"require": ["exp", "iat", "sub", "iss"], "verify_exp": False, "verify_iat": False},
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
