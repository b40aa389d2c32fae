"""Access keys: machine credentials of a project. The secret is stored only as a keyed hash;
the key's own roles and tenants live in ``grants_store`` with the key ID as principal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from passgate.models.access_keys import AccessKeyRecord
from passgate.storage import grants_store
from passgate.storage.database import Row, Transaction, in_list
from passgate.storage.mapping import JSON, JSON_TUPLE, Column, RecordTable, as_is

ACCESS_KEYS = RecordTable(
    "access_keys",
    AccessKeyRecord,
    (
        *as_is("id", "project_id", "name", "secret_hash", "status"),
        Column("expires_at", "expires_at_ms"),
        *as_is("created_by", "client_id", "bound_user_id"),
        Column("custom_claims", conversion=JSON),
        Column("description"),
        Column("permitted_ips", conversion=JSON_TUPLE),
        Column("custom_attributes", conversion=JSON),
        Column("created_at", "created_at_ms"),
        Column("modified_at", "modified_at_ms"),
    ),
    other_fields=("authz",),
)
_INSERT = ACCESS_KEYS.insert_sql()
# What ``save`` may change: neither the key's identity, owner, expiry nor creation.
_FIXED = ("id", "project_id", "expires_at", "created_by", "client_id", "bound_user_id", "created_at")
_SAVE = f"UPDATE access_keys SET {ACCESS_KEYS.assignments(leaving=_FIXED)} WHERE id = :id AND project_id = :project_id"


async def _complete(tx: Transaction, rows: list[Row]) -> list[AccessKeyRecord]:
    """Records with their authorizations, loaded in one query for any number of keys."""
    authz = await grants_store.authorizations(tx, [row["id"] for row in rows])
    return [ACCESS_KEYS.from_row(row, authz=authz[row["id"]]) for row in rows]


async def insert(tx: Transaction, record: AccessKeyRecord) -> None:
    """Store a new key (its grants are added separately through ``grants_store``)."""
    await tx.execute(_INSERT, ACCESS_KEYS.params_of(record))


async def save(tx: Transaction, record: AccessKeyRecord) -> None:
    """Overwrite the changeable fields (name, secret, status, claims, description, IPs, attributes)."""
    await tx.execute(_SAVE, ACCESS_KEYS.params_of(record))


async def find(tx: Transaction, project_id: str, key_id: str) -> AccessKeyRecord | None:
    row = await tx.fetch_one(
        "SELECT * FROM access_keys WHERE id = :id AND project_id = :p", {"id": key_id, "p": project_id}
    )
    return (await _complete(tx, [row]))[0] if row else None


async def existing_ids(tx: Transaction, project_id: str, key_ids: Sequence[str]) -> set[str]:
    """Which of ``key_ids`` are keys of the project."""
    placeholders, params = in_list("k", list(key_ids))
    rows = await tx.fetch_all(
        f"SELECT id FROM access_keys WHERE project_id = :p AND id IN {placeholders}", {**params, "p": project_id}
    )
    return {row["id"] for row in rows}


async def search(
    tx: Transaction,
    project_id: str,
    *,
    tenant_ids: Sequence[str] = (),
    bound_user_id: str = "",
    created_by: str = "",
) -> list[AccessKeyRecord]:
    """The project's keys, oldest first, narrowed by each filter given: member of any of
    ``tenant_ids``, bound to ``bound_user_id``, created by ``created_by``."""
    sql = "SELECT * FROM access_keys WHERE project_id = :p"
    params: dict[str, Any] = {"p": project_id}
    if tenant_ids:
        placeholders, tenant_params = in_list("t", list(tenant_ids))
        sql += (
            " AND id IN (SELECT principal_id FROM principal_tenants"
            f" WHERE project_id = :p AND tenant_id IN {placeholders})"
        )
        params.update(tenant_params)
    if bound_user_id:
        sql += " AND bound_user_id = :bound"
        params["bound"] = bound_user_id
    if created_by:
        sql += " AND created_by = :creator"
        params["creator"] = created_by
    rows = await tx.fetch_all(sql + " ORDER BY created_at, id", params)
    return await _complete(tx, rows)


async def set_status(tx: Transaction, project_id: str, key_ids: Sequence[str], status: str, now_ms: int) -> None:
    placeholders, params = in_list("k", list(key_ids))
    await tx.execute(
        f"UPDATE access_keys SET status = :status, modified_at = :now WHERE project_id = :p AND id IN {placeholders}",
        {**params, "p": project_id, "status": status, "now": now_ms},
    )


async def delete(tx: Transaction, project_id: str, key_ids: Sequence[str]) -> None:
    """Delete the keys with their memberships and role grants."""
    for key_id in key_ids:
        await grants_store.forget_principal(tx, key_id)
    placeholders, params = in_list("k", list(key_ids))
    await tx.execute(
        f"DELETE FROM access_keys WHERE project_id = :p AND id IN {placeholders}", {**params, "p": project_id}
    )
