"""Random identifiers in Descope's shapes.

Descope IDs are a one-letter kind, ``2``, then 26 alphanumerics (28 characters): short of
the 32 at which SDKs start deriving a regional base URL from the project ID.
"""

from __future__ import annotations

import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits
_ID_BODY_LENGTH = 26  # 26 * log2(62) ≈ 154 bits


def _random_alphanumeric(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def new_project_id() -> str:
    """A project ID such as ``P2x9...`` (28 characters)."""
    return "P2" + _random_alphanumeric(_ID_BODY_LENGTH)


def new_user_id() -> str:
    """A user ID such as ``U2x9...`` (28 characters)."""
    return "U2" + _random_alphanumeric(_ID_BODY_LENGTH)


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
