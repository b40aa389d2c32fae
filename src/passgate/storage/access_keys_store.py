"""Access keys: machine credentials of a project. The secret is stored only as a keyed hash;
the key's own roles and tenants live in ``grants_store`` with the key ID as principal."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from passgate.models.access_keys import AccessKeyRecord
from passgate.models.authz import Authorization
from passgate.storage import grants_store
from passgate.storage.database import Row, Transaction, in_list


def _record(row: Row, authz: Authorization) -> AccessKeyRecord:
    return AccessKeyRecord(
        id=row["id"],
        project_id=row["project_id"],
        name=row["name"],
        secret_hash=row["secret_hash"],
        status=row["status"],
        expires_at_ms=row["expires_at"],
        created_by=row["created_by"],
        client_id=row["client_id"],
        bound_user_id=row["bound_user_id"],
        custom_claims=json.loads(row["custom_claims"]),
        description=row["description"],
        permitted_ips=tuple(json.loads(row["permitted_ips"])),
        custom_attributes=json.loads(row["custom_attributes"]),
        created_at_ms=row["created_at"],
        modified_at_ms=row["modified_at"],
        authz=authz,
    )


def _mutable_columns(record: AccessKeyRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "secret_hash": record.secret_hash,
        "status": record.status,
        "custom_claims": json.dumps(record.custom_claims),
        "description": record.description,
        "permitted_ips": json.dumps(list(record.permitted_ips)),
        "custom_attributes": json.dumps(record.custom_attributes),
        "modified_at": record.modified_at_ms,
    }


async def _complete(tx: Transaction, rows: list[Row]) -> list[AccessKeyRecord]:
    """Records with their authorizations, loaded in one query for any number of keys."""
    authz = await grants_store.authorizations(tx, [row["id"] for row in rows])
    return [_record(row, authz[row["id"]]) for row in rows]


async def insert(tx: Transaction, record: AccessKeyRecord) -> None:
    """Store a new key (its grants are added separately through ``grants_store``)."""
    columns = _mutable_columns(record)
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    await tx.execute(
        "INSERT INTO access_keys (id, project_id, expires_at, created_by, client_id, bound_user_id, created_at,"
        f" {names}) VALUES (:id, :project_id, :expires_at, :created_by, :client_id, :bound_user_id, :created_at,"
        f" {values})",
        {
            **columns,
            "id": record.id,
            "project_id": record.project_id,
            "expires_at": record.expires_at_ms,
            "created_by": record.created_by,
            "client_id": record.client_id,
            "bound_user_id": record.bound_user_id,
            "created_at": record.created_at_ms,
        },
    )


async def save(tx: Transaction, record: AccessKeyRecord) -> None:
    """Overwrite the changeable fields (name, secret, status, claims, description, IPs, attributes)."""
    columns = _mutable_columns(record)
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    await tx.execute(
        f"UPDATE access_keys SET {assignments} WHERE id = :id AND project_id = :project_id",
        {**columns, "id": record.id, "project_id": record.project_id},
    )


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
