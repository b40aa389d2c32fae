"""Management keys: a project's administrative credentials (stored only as a SHA-256 digest)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ACTIVE = "active"
INACTIVE = "inactive"


@dataclass(frozen=True)
class ManagementKeyRecord:
    """A management key as stored (times in unix ms; ``expires_at_ms`` 0 = never;
    ``revoked_at_ms`` set once the key is deleted or revoked, which cannot be undone)."""

    id: str
    project_id: str
    key_hash: str
    name: str
    created_at_ms: int
    revoked_at_ms: int | None = None
    description: str = ""
    status: str = ACTIVE  # active | inactive (an inactive key is refused until reactivated)
    expires_at_ms: int = 0
    permitted_ips: tuple[str, ...] = ()  # addresses or CIDR ranges; empty = any
    rebac: dict[str, Any] = field(default_factory=dict)  # Descope's role assignment, kept as given
