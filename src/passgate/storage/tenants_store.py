"""Tenants of a project (contract §5.3): one row each; lists, attributes and settings as JSON.

Deleting a tenant removes what only makes sense inside it: memberships (by foreign key),
the roles defined in it (their grants and permissions follow by foreign key) and the
project roles granted in it (``principal_roles.tenant_id`` has no foreign key, so those
rows are deleted here explicitly).
"""

from __future__ import annotations

from passgate.models.tenants import TenantRecord, TenantSettings
from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import BOOL, INT, JSON, JSON_TUPLE, Column, RecordTable, as_is, model_of

TENANTS = RecordTable(
    "tenants",
    TenantRecord,
    (
        *as_is("id", "name"),
        Column("self_provisioning_domains", conversion=JSON_TUPLE),
        Column("custom_attributes", conversion=JSON),
        Column("enforce_sso", conversion=BOOL),
        Column("disabled", conversion=BOOL),
        Column("settings", conversion=model_of(TenantSettings)),
        Column("created_at", "created_at_ms", conversion=INT),
    ),
)
_INSERT = TENANTS.insert_sql("project_id")
_SET = TENANTS.assignments(leaving=("id", "created_at"))
_UPDATE = f"UPDATE tenants SET {_SET} WHERE project_id = :project_id AND id = :id"


async def insert_tenant(tx: Transaction, project_id: str, tenant: TenantRecord) -> None:
    """Insert the tenant; ``IntegrityViolation`` if its ID or name is taken in the project."""
    await tx.execute(_INSERT, {**TENANTS.params_of(tenant), "project_id": project_id})


async def update_tenant(tx: Transaction, project_id: str, tenant: TenantRecord) -> int:
    """Overwrite every mutable field of the stored tenant; the number of rows changed (0 or 1)."""
    return await tx.execute(_UPDATE, {**TENANTS.params_of(tenant), "project_id": project_id})


async def get_tenant(tx: Transaction, project_id: str, tenant_id: str) -> TenantRecord | None:
    row = await tx.fetch_one(
        "SELECT * FROM tenants WHERE project_id = :p AND id = :id", {"p": project_id, "id": tenant_id}
    )
    return TENANTS.from_row(row) if row else None


async def find_by_name(tx: Transaction, project_id: str, name: str) -> TenantRecord | None:
    row = await tx.fetch_one("SELECT * FROM tenants WHERE project_id = :p AND name = :n", {"p": project_id, "n": name})
    return TENANTS.from_row(row) if row else None


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
    return [TENANTS.from_row(row) for row in await tx.fetch_all(f"{sql} ORDER BY created_at, id", params)]


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
