"""Tenants of a project (contract §5.3): one row each; lists, attributes and settings as JSON.

Deleting a tenant removes what only makes sense inside it: memberships (by foreign key),
the roles defined in it (their grants and permissions follow by foreign key) and the
project roles granted in it (``principal_roles.tenant_id`` has no foreign key, so those
rows are deleted here explicitly).
"""

from __future__ import annotations

import json
from typing import Any

from passgate.models.tenants import TenantRecord, TenantSettings
from passgate.storage.database import Row, Transaction, in_list


def _record(row: Row) -> TenantRecord:
    return TenantRecord(
        id=row["id"],
        name=row["name"],
        self_provisioning_domains=tuple(json.loads(row["self_provisioning_domains"])),
        custom_attributes=json.loads(row["custom_attributes"]),
        enforce_sso=bool(row["enforce_sso"]),
        disabled=bool(row["disabled"]),
        settings=TenantSettings.model_validate_json(row["settings"]),
        created_at_ms=int(row["created_at"]),
    )


def _columns_of(project_id: str, tenant: TenantRecord) -> dict[str, Any]:
    return {
        "project": project_id,
        "id": tenant.id,
        "name": tenant.name,
        "domains": json.dumps(list(tenant.self_provisioning_domains)),
        "attributes": json.dumps(tenant.custom_attributes),
        "enforce_sso": tenant.enforce_sso,
        "disabled": tenant.disabled,
        "settings": tenant.settings.model_dump_json(),
        "created_at": tenant.created_at_ms,
    }


async def insert_tenant(tx: Transaction, project_id: str, tenant: TenantRecord) -> None:
    """Insert the tenant; ``IntegrityViolation`` if its ID or name is taken in the project."""
    await tx.execute(
        "INSERT INTO tenants (project_id, id, name, self_provisioning_domains, custom_attributes, enforce_sso,"
        " disabled, settings, created_at)"
        " VALUES (:project, :id, :name, :domains, :attributes, :enforce_sso, :disabled, :settings, :created_at)",
        _columns_of(project_id, tenant),
    )


async def update_tenant(tx: Transaction, project_id: str, tenant: TenantRecord) -> int:
    """Overwrite every mutable field of the stored tenant; the number of rows changed (0 or 1)."""
    return await tx.execute(
        "UPDATE tenants SET name = :name, self_provisioning_domains = :domains, custom_attributes = :attributes,"
        " enforce_sso = :enforce_sso, disabled = :disabled, settings = :settings"
        " WHERE project_id = :project AND id = :id",
        {k: v for k, v in _columns_of(project_id, tenant).items() if k != "created_at"},
    )


async def get_tenant(tx: Transaction, project_id: str, tenant_id: str) -> TenantRecord | None:
    row = await tx.fetch_one(
        "SELECT * FROM tenants WHERE project_id = :p AND id = :id", {"p": project_id, "id": tenant_id}
    )
    return _record(row) if row else None


async def find_by_name(tx: Transaction, project_id: str, name: str) -> TenantRecord | None:
    row = await tx.fetch_one("SELECT * FROM tenants WHERE project_id = :p AND name = :n", {"p": project_id, "n": name})
    return _record(row) if row else None


async def list_tenants(
    tx: Transaction, project_id: str, *, ids: list[str] | None = None, names: list[str] | None = None
) -> list[TenantRecord]:
    """The project's tenants, oldest first; only those with the given IDs / names when given."""
    sql, params = "SELECT * FROM tenants WHERE project_id = :p", {"p": project_id}
    if ids is not None:
        placeholders, id_params = in_list("i", ids)
        sql, params = f"{sql} AND id IN {placeholders}", {**params, **id_params}
    if names is not None:
        placeholders, name_params = in_list("n", names)
        sql, params = f"{sql} AND name IN {placeholders}", {**params, **name_params}
    return [_record(row) for row in await tx.fetch_all(f"{sql} ORDER BY created_at, id", params)]


async def users_only_in(tx: Transaction, project_id: str, tenant_id: str) -> list[str]:
    """IDs of the users who are members of this tenant and of no other."""
    rows = await tx.fetch_all(
        "SELECT pt.principal_id FROM principal_tenants pt JOIN users u ON u.id = pt.principal_id"
        " WHERE pt.project_id = :p AND pt.tenant_id = :t AND NOT EXISTS ("
        "  SELECT 1 FROM principal_tenants other"
        "  WHERE other.principal_id = pt.principal_id AND other.tenant_id <> :t)"
        " ORDER BY pt.principal_id",
        {"p": project_id, "t": tenant_id},
    )
    return [str(row["principal_id"]) for row in rows]


async def delete_tenant(tx: Transaction, project_id: str, tenant_id: str) -> int:
    """Delete the tenant, its memberships, its roles and every grant made in it; rows deleted (0 or 1)."""
    params = {"p": project_id, "t": tenant_id}
    await tx.execute("DELETE FROM principal_roles WHERE project_id = :p AND tenant_id = :t", params)
    await tx.execute("DELETE FROM roles WHERE project_id = :p AND tenant_id = :t", params)
    return await tx.execute("DELETE FROM tenants WHERE project_id = :p AND id = :t", params)
