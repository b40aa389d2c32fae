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
    # passgate's own events: success | failure; an application's (``AppEvent``): its type
    outcome: str
    user_id: str | None = None
    login_id_masked: str = ""
    login_id_hash: str | None = None
    ip: str = ""
    user_agent: str = ""
    detail: dict[str, Any] = field(default_factory=dict)


# The types an application may give its own events (Descope's).
APP_EVENT_TYPES = ("info", "warn", "error")


@dataclass(frozen=True)
class AppEvent:
    """An event an application writes into its project's audit trail (``/v1/mgmt/audit/event``)."""

    action: str
    type: str  # one of ``APP_EVENT_TYPES``
    actor_id: str  # who acted, in the application's terms
    tenant_id: str
    user_id: str = ""  # the user it concerns, if any
    data: dict[str, Any] = field(default_factory=dict)


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
