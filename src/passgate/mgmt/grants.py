"""Giving principals (users, access keys) roles and tenant memberships, by name, inside the
caller's transaction. Unknown names fail before anything is written: ``RoleNotFound`` and
``TenantNotFound`` name the first missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from passgate.errors import NotATenantMember, RoleNotFound, TenantNotFound
from passgate.storage import grants_store
from passgate.storage.database import Transaction

PROJECT_SCOPE = grants_store.PROJECT_SCOPE


@dataclass(frozen=True)
class TenantRoles:
    """Membership of one tenant with the roles held there (Descope's ``userTenants`` item)."""

    tenant_id: str
    role_names: tuple[str, ...] = ()


class RoleChange(Enum):
    SET = "set"
    ADD = "add"
    REMOVE = "remove"


async def role_ids(tx: Transaction, project_id: str, tenant_id: str, names: Sequence[str]) -> list[str]:
    """The IDs of the named roles as seen from ``tenant_id`` (``PROJECT_SCOPE`` for project roles)."""
    found = await grants_store.role_ids(tx, project_id, tenant_id, names)
    missing = next((name for name in names if name not in found), None)
    if missing is not None:
        where = f" in tenant {tenant_id[:64]}" if tenant_id else ""
        raise RoleNotFound(f"Role not found{where}: {missing[:200]}")
    return [found[name] for name in dict.fromkeys(names)]


async def require_tenants(tx: Transaction, project_id: str, tenant_ids: Sequence[str]) -> None:
    """``TenantNotFound`` unless every tenant exists in the project."""
    existing = await grants_store.existing_tenants(tx, project_id, tenant_ids)
    missing = next((tenant_id for tenant_id in tenant_ids if tenant_id not in existing), None)
    if missing is not None:
        raise TenantNotFound(f"Tenant not found: {missing[:64]}")


async def set_project_roles(tx: Transaction, project_id: str, principal_id: str, names: Sequence[str]) -> None:
    """Make ``names`` exactly the principal's project-level roles."""
    ids = await role_ids(tx, project_id, PROJECT_SCOPE, names)
    await grants_store.set_roles(tx, project_id, principal_id, PROJECT_SCOPE, ids)


async def set_tenants(
    tx: Transaction,
    project_id: str,
    principal_id: str,
    tenants: Sequence[TenantRoles],
    now_ms: int,
    *,
    leave_others: bool,
) -> None:
    """Join each tenant with exactly its given roles; with ``leave_others``, end every other
    membership (a full replace). All names are checked before anything is written."""
    await require_tenants(tx, project_id, [tenant.tenant_id for tenant in tenants])
    resolved = [
        (tenant.tenant_id, await role_ids(tx, project_id, tenant.tenant_id, tenant.role_names)) for tenant in tenants
    ]
    if leave_others:
        await grants_store.leave_other_tenants(tx, principal_id, [tenant_id for tenant_id, _ in resolved])
    for tenant_id, ids in resolved:
        await grants_store.join_tenant(tx, project_id, principal_id, tenant_id, now_ms)
        await grants_store.set_roles(tx, project_id, principal_id, tenant_id, ids)


async def change_roles(
    tx: Transaction,
    project_id: str,
    principal_id: str,
    tenant_id: str,
    names: Sequence[str],
    change: RoleChange,
    now_ms: int,
) -> None:
    """Set, add or remove roles at project level (``tenant_id`` '') or in a tenant.

    Setting or adding roles in a tenant makes the principal a member of it; removing roles
    in a tenant it does not belong to is ``NotATenantMember``.
    """
    if tenant_id:
        await require_tenants(tx, project_id, [tenant_id])
        if change is RoleChange.REMOVE and not await grants_store.is_member(tx, principal_id, tenant_id):
            raise NotATenantMember(f"Not a member of tenant {tenant_id[:64]}")
    ids = await role_ids(tx, project_id, tenant_id, names)
    if tenant_id and change is not RoleChange.REMOVE:
        await grants_store.join_tenant(tx, project_id, principal_id, tenant_id, now_ms)
    if change is RoleChange.SET:
        await grants_store.set_roles(tx, project_id, principal_id, tenant_id, ids)
    elif change is RoleChange.ADD:
        await grants_store.grant_roles(tx, project_id, principal_id, tenant_id, ids)
    elif ids:
        await grants_store.revoke_roles(tx, principal_id, tenant_id, ids)


async def join_tenant(tx: Transaction, project_id: str, principal_id: str, tenant_id: str, now_ms: int) -> None:
    """Make the principal a member of an existing tenant (no-op if it already is)."""
    await require_tenants(tx, project_id, [tenant_id])
    await grants_store.join_tenant(tx, project_id, principal_id, tenant_id, now_ms)
