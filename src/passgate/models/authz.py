"""What a principal (user or access key) may do, as loaded for its next token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class TenantAccess:
    """A principal's membership of one tenant and what it may do there."""

    tenant_id: str
    tenant_name: str
    role_names: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class Authorization:
    """What a principal (user or access key) may do: project-level roles and permissions,
    and per tenant. Role and permission names are resolved at load time, so a rename shows
    at the next load (the next session or refresh)."""

    role_names: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    tenants: tuple[TenantAccess, ...] = ()

    def claims(self) -> dict[str, Any]:
        """The JWT claims ``roles``, ``permissions`` and ``tenants`` (contract §3.3)."""
        return {
            "roles": list(self.role_names),
            "permissions": list(self.permissions),
            "tenants": {
                t.tenant_id: {"roles": list(t.role_names), "permissions": list(t.permissions)} for t in self.tenants
            },
        }

    def tenant(self, tenant_id: str) -> TenantAccess | None:
        return next((t for t in self.tenants if t.tenant_id == tenant_id), None)
