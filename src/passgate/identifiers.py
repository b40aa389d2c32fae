"""Random identifiers in Descope's shapes.

Descope IDs are a one-letter kind, ``2``, then 26 alphanumerics (28 characters): short of
the 32 at which SDKs start deriving a regional base URL from the project ID.
"""

from __future__ import annotations

import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits
_ID_BODY_LENGTH = 26  # 26 * log2(62) ≈ 154 bits


_UNBIASED = 256 - 256 % len(_ALPHANUMERIC)  # bytes at or above it would favour the first letters


def _random_alphanumeric(length: int) -> str:
    """``length`` characters uniform over the 62 alphanumerics, from ``secrets`` bytes (one
    ``token_bytes`` call for the lot: ``secrets.choice`` per character cost ~100 µs an ID,
    a fifth of a bulk import's time)."""
    chosen: list[str] = []
    while len(chosen) < length:
        chosen += [_ALPHANUMERIC[b % len(_ALPHANUMERIC)] for b in secrets.token_bytes(length) if b < _UNBIASED]
    return "".join(chosen[:length])


def new_project_id() -> str:
    """A project ID such as ``P2x9...`` (28 characters)."""
    return "P2" + _random_alphanumeric(_ID_BODY_LENGTH)


def new_user_id() -> str:
    """A user ID such as ``U2x9...`` (28 characters)."""
    return "U2" + _random_alphanumeric(_ID_BODY_LENGTH)


def new_tenant_id() -> str:
    """A generated tenant ID such as ``T2x9...`` (28 characters); callers may also choose their own."""
    return "T2" + _random_alphanumeric(_ID_BODY_LENGTH)


def new_role_id() -> str:
    """A role ID such as ``ROLx9...`` (28 characters, Descope's ``ROL`` prefix)."""
    return "ROL" + _random_alphanumeric(_ID_BODY_LENGTH - 1)


def new_permission_id() -> str:
    """A permission ID such as ``PERMx9...`` (28 characters, Descope's ``PERM`` prefix)."""
    return "PERM" + _random_alphanumeric(_ID_BODY_LENGTH - 2)


def new_key_id() -> str:
    """An identifier for a stored secret: management key, signing key, session."""
    return "K2" + _random_alphanumeric(_ID_BODY_LENGTH)


def new_opaque_id() -> str:
    """An internal row identifier (challenges, outbox messages, sessions)."""
    return secrets.token_hex(16)


def new_management_key() -> str:
    """A management key's cleartext: 256 random bits, never containing ``:``.

    The SDKs join bearer parts with ``:``, so the key must not contain one.
    """
    return "pgk_" + _random_alphanumeric(43)
