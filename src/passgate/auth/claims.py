"""The claims of passgate's JWTs (contract §3.3), apart from signing them.

``iss`` and ``aud`` are the project ID, ``drn`` the token type (``DS`` session, ``DSR``
refresh), ``amr`` lists the factors, client-supplied custom claims live under ``nsec``,
management-supplied ones at the top level. Custom claims may not shadow the claims
passgate owns.
"""

from __future__ import annotations

import json
from typing import Any

from passgate.errors import InvalidArgument
from passgate.models.projects import Project
from passgate.models.users import User

SESSION_DRN = "DS"
REFRESH_DRN = "DSR"
# Claims passgate owns; custom claims may not shadow them.
RESERVED_CLAIMS = frozenset(
    {
        "sub",
        "iss",
        "aud",
        "iat",
        "exp",
        "nbf",
        "jti",
        "sid",
        "drn",
        "amr",
        "roles",
        "permissions",
        "tenants",
        "rexp",
        "dct",
        "tu",
        "su",
        "nsec",
        "dsub",
        "act",
        "danu",
    }
)
SELECTED_TENANT = "dct"
ACTOR = "act"  # RFC 8693 actor claim: {"sub": "<impersonator's user ID>"}
ANONYMOUS = "danu"  # Descope's marker of an anonymous user's JWTs
# Descope's limits on custom claims (contract §3.3).
MAX_CUSTOM_CLAIMS, MAX_CLAIM_NAME, MAX_CLAIM_VALUE = 100, 60, 500


def custom_claims(claims: dict[str, Any]) -> dict[str, Any]:
    """``claims`` without any that passgate itself sets."""
    return {name: value for name, value in claims.items() if name not in RESERVED_CLAIMS}


def checked_custom_claims(claims: dict[str, Any] | None) -> dict[str, Any]:
    """Management-supplied custom claims within Descope's limits (``InvalidArgument`` beyond
    them), without the reserved ones, which are dropped silently as Descope does."""
    claims = claims or {}
    if len(claims) > MAX_CUSTOM_CLAIMS:
        raise InvalidArgument(f"At most {MAX_CUSTOM_CLAIMS} custom claims are allowed")
    for name, value in claims.items():
        if len(name) > MAX_CLAIM_NAME:
            raise InvalidArgument(f"Custom claim names are at most {MAX_CLAIM_NAME} characters")
        if len(value if isinstance(value, str) else json.dumps(value)) > MAX_CLAIM_VALUE:
            raise InvalidArgument(f"Custom claim {name!r} is longer than {MAX_CLAIM_VALUE} characters")
    return custom_claims(claims)


def combined_amr(prior_amr: list[str], factor: str) -> list[str]:
    """The ``amr`` of a multi-factor sign-in: the earlier factors and ``factor``, plus ``mfa``
    once there are at least two distinct factors."""
    factors = list(dict.fromkeys([*(value for value in prior_amr if value != "mfa"), factor]))
    return [*factors, "mfa"] if len(factors) > 1 else factors


def registered_claims(project: Project, subject: str, iat: int, exp: int, drn: str) -> dict[str, Any]:
    """The claims every passgate JWT carries (contract §3.3): ``sub``, ``iss`` and ``aud``
    (the project ID), ``iat``, ``exp`` and the token type ``drn``."""
    return {"sub": subject, "iss": project.id, "aud": [project.id], "iat": iat, "exp": exp, "drn": drn}


def base_claims(project: Project, user: User, amr: list[str], iat: int, exp: int, drn: str) -> dict[str, Any]:
    """The registered claims of a user's JWT, with its ``amr`` and the test-user marker ``tu``."""
    claims = {**registered_claims(project, user.id, iat, exp, drn), "amr": amr}
    if user.test:
        claims["tu"] = True
    return claims
