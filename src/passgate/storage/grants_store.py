"""Who may do what: principals' (users' and access keys') tenant memberships and role grants.

A principal is a user or an access key; both have globally unique generated IDs. Grants
name roles by ID, so renaming a role or permission shows at the next load. Reading is one
query for any number of principals (search pages load their authorizations in one go).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from passgate.models.authz import Authorization, TenantAccess
from passgate.storage.database import Transaction, in_list

PROJECT_SCOPE = ""  # the tenant_id of a project-level grant


async def authorizations(tx: Transaction, principal_ids: Sequence[str]) -> dict[str, Authorization]:
    """Each principal's authorization (principals without any get an empty one)."""
    ids, params = in_list("p", list(dict.fromkeys(principal_ids)))
    rows = await tx.fetch_all(
        "SELECT pt.principal_id, pt.tenant_id, t.name AS tenant_name, NULL AS role_name, NULL AS permission_name,"
        " pt.created_at AS ord"
        " FROM principal_tenants pt JOIN tenants t ON t.project_id = pt.project_id AND t.id = pt.tenant_id"
        f" WHERE pt.principal_id IN {ids}"
        " UNION ALL"
        " SELECT pr.principal_id, pr.tenant_id, NULL, r.name, p.name, 0"
        " FROM principal_roles pr JOIN roles r ON r.id = pr.role_id"
        " LEFT JOIN role_permissions rp ON rp.role_id = r.id LEFT JOIN permissions p ON p.id = rp.permission_id"
        f" WHERE pr.principal_id IN {ids}"
        " ORDER BY 1, 6, 2",
        params,
    )
    return _assemble(principal_ids, rows)


def _assemble(principal_ids: Sequence[str], rows: list[dict[str, object]]) -> dict[str, Authorization]:
    tenants: dict[str, dict[str, str]] = defaultdict(dict)  # principal -> tenant_id -> name (joined order)
    roles: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)  # (principal, scope) -> role names
    perms: dict[tuple[str, str], dict[str, None]] = defaultdict(dict)
    for row in rows:
        principal, scope = str(row["principal_id"]), str(row["tenant_id"])
        if row["role_name"] is None:
            tenants[principal][scope] = str(row["tenant_name"])
            continue
        roles[(principal, scope)][str(row["role_name"])] = None
        if row["permission_name"] is not None:
            perms[(principal, scope)][str(row["permission_name"])] = None
    result: dict[str, Authorization] = {}
    for principal in principal_ids:
        result[principal] = Authorization(
            role_names=tuple(sorted(roles[(principal, PROJECT_SCOPE)])),
            permissions=tuple(sorted(perms[(principal, PROJECT_SCOPE)])),
            tenants=tuple(
                TenantAccess(
                    tenant_id=tenant_id,
                    tenant_name=name,
                    role_names=tuple(sorted(roles[(principal, tenant_id)])),
                    permissions=tuple(sorted(perms[(principal, tenant_id)])),
                )
                for tenant_id, name in tenants[principal].items()
            ),
        )
    return result


async def role_ids(tx: Transaction, project_id: str, tenant_id: str, names: Sequence[str]) -> dict[str, str]:
    """Role name -> role ID for the names that exist, as seen from ``tenant_id``: a role defined
    in that tenant wins over a project-level role of the same name."""
    if not names:
        return {}
    placeholders, params = in_list("n", list(names))
    rows = await tx.fetch_all(
        "SELECT id, name, tenant_id FROM roles WHERE project_id = :project"
        f" AND tenant_id IN ('', :tenant) AND name IN {placeholders} ORDER BY tenant_id",
        {**params, "project": project_id, "tenant": tenant_id},
    )
    return {row["name"]: row["id"] for row in rows}  # tenant rows sort after '' and overwrite


async def grant_roles(tx: Transaction, project_id: str, principal_id: str, tenant_id: str, ids: Sequence[str]) -> None:
    """Add roles (by ID) to the principal in ``tenant_id`` ('' = project level); existing grants stay."""
    for role_id in dict.fromkeys(ids):
        await tx.execute(
            "INSERT INTO principal_roles (principal_id, tenant_id, role_id, project_id)"
            " VALUES (:p, :t, :r, :project) ON CONFLICT DO NOTHING",
            {"p": principal_id, "t": tenant_id, "r": role_id, "project": project_id},
        )


async def set_roles(tx: Transaction, project_id: str, principal_id: str, tenant_id: str, ids: Sequence[str]) -> None:
    """Make ``ids`` exactly the principal's roles in ``tenant_id`` ('' = project level)."""
    await revoke_roles(tx, principal_id, tenant_id)
    await grant_roles(tx, project_id, principal_id, tenant_id, ids)


async def revoke_roles(tx: Transaction, principal_id: str, tenant_id: str, ids: Sequence[str] | None = None) -> None:
    """Remove the given roles (all roles when ``ids`` is None) in ``tenant_id`` from the principal."""
    if ids is None:
        await tx.execute(
            "DELETE FROM principal_roles WHERE principal_id = :p AND tenant_id = :t",
            {"p": principal_id, "t": tenant_id},
        )
        return
    placeholders, params = in_list("r", list(ids))
    await tx.execute(
        f"DELETE FROM principal_roles WHERE principal_id = :p AND tenant_id = :t AND role_id IN {placeholders}",
        {**params, "p": principal_id, "t": tenant_id},
    )


async def join_tenant(tx: Transaction, project_id: str, principal_id: str, tenant_id: str, now_ms: int) -> None:
    """Make the principal a member of the tenant (no-op if it already is).

    ``IntegrityViolation`` if the tenant does not exist (the foreign key refuses it).
    """
    await tx.execute(
        "INSERT INTO principal_tenants (principal_id, tenant_id, project_id, created_at)"
        " VALUES (:p, :t, :project, :now) ON CONFLICT DO NOTHING",
        {"p": principal_id, "t": tenant_id, "project": project_id, "now": now_ms},
    )


async def leave_tenant(tx: Transaction, principal_id: str, tenant_id: str) -> None:
    """End the membership and drop the roles held in that tenant."""
    await revoke_roles(tx, principal_id, tenant_id)
    await tx.execute(
        "DELETE FROM principal_tenants WHERE principal_id = :p AND tenant_id = :t", {"p": principal_id, "t": tenant_id}
    )


async def existing_tenants(tx: Transaction, project_id: str, tenant_ids: Sequence[str]) -> set[str]:
    """The IDs among ``tenant_ids`` that name tenants of the project."""
    if not tenant_ids:
        return set()
    placeholders, params = in_list("t", list(dict.fromkeys(tenant_ids)))
    rows = await tx.fetch_all(
        f"SELECT id FROM tenants WHERE project_id = :project AND id IN {placeholders}",
        {**params, "project": project_id},
    )
    return {row["id"] for row in rows}


async def is_member(tx: Transaction, principal_id: str, tenant_id: str) -> bool:
    row = await tx.fetch_one(
        "SELECT 1 AS found FROM principal_tenants WHERE principal_id = :p AND tenant_id = :t",
        {"p": principal_id, "t": tenant_id},
    )
    return row is not None


async def leave_other_tenants(tx: Transaction, principal_id: str, keep: Sequence[str]) -> None:
    """End every membership (and its roles) of the principal except those in ``keep``."""
    # NOT IN over no values must keep nothing, yet ``NOT IN (NULL)`` matches no row: keep ''
    # (the project scope, never a tenant) instead.
    kept, params = in_list("k", list(keep)) if keep else ("('')", {})
    params = {**params, "p": principal_id}
    await tx.execute(
        f"DELETE FROM principal_roles WHERE principal_id = :p AND tenant_id <> '' AND tenant_id NOT IN {kept}", params
    )
    await tx.execute(f"DELETE FROM principal_tenants WHERE principal_id = :p AND tenant_id NOT IN {kept}", params)


async def forget_principal(tx: Transaction, principal_id: str) -> None:
    """Remove every membership and grant of a deleted user or access key."""
    await tx.execute("DELETE FROM principal_roles WHERE principal_id = :p", {"p": principal_id})
    await tx.execute("DELETE FROM principal_tenants WHERE principal_id = :p", {"p": principal_id})
