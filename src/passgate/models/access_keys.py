"""Access keys: machine credentials of a project (the secret only as a keyed hash)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from passgate.models.authz import Authorization

ACTIVE = "active"
INACTIVE = "inactive"


@dataclass(frozen=True)
class AccessKeyRecord:
    """An access key as stored (times in unix ms; ``expires_at_ms`` 0 = never)."""

    id: str
    project_id: str
    name: str
    secret_hash: str
    status: str
    expires_at_ms: int
    created_by: str
    client_id: str
    bound_user_id: str
    custom_claims: dict[str, Any]
    description: str
    permitted_ips: tuple[str, ...]
    custom_attributes: dict[str, Any]
    created_at_ms: int
    modified_at_ms: int
    authz: Authorization = field(default_factory=Authorization)  # the key's own roles and tenants
