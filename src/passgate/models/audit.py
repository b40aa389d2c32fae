"""The audit log: one event per authentication or management action, and what a search asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class AuditEvent:
    id: str
    project_id: str
    occurred_at_ms: int
    action: str
    outcome: str  # success | failure
    user_id: str | None = None
    login_id_masked: str = ""
    login_id_hash: str | None = None
    ip: str = ""
    user_agent: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditQuery:
    project_id: str
    user_ids: tuple[str, ...] = ()
    actions: tuple[str, ...] = ()
    login_id_hashes: tuple[str, ...] = ()
    remote_addresses: tuple[str, ...] = ()
    from_ms: int | None = None
    to_ms: int | None = None
    limit: int = 100
