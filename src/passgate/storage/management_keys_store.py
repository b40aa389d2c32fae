"""Management keys of projects (only a SHA-256 digest of each key is stored)."""

from __future__ import annotations

from collections.abc import Sequence

from passgate.models.management_keys import ManagementKeyRecord
from passgate.storage.database import Transaction, in_list
from passgate.storage.mapping import JSON, JSON_TUPLE, Column, RecordTable, as_is, assignments

MANAGEMENT_KEYS = RecordTable(
    "management_keys",
    ManagementKeyRecord,
    (
        *as_is("id", "project_id", "key_hash", "name"),
        Column("created_at", "created_at_ms"),
        Column("revoked_at", "revoked_at_ms"),
        *as_is("description", "status"),
        Column("expires_at", "expires_at_ms"),
        Column("permitted_ips", conversion=JSON_TUPLE),
        Column("rebac", conversion=JSON),
    ),
)
_INSERT = MANAGEMENT_KEYS.insert_sql()
# What ``save`` may change: the key's name, description, status and addresses.
_CHANGEABLE = ("name", "description", "status", "permitted_ips")
_SAVE = (
    f"UPDATE management_keys SET {assignments(_CHANGEABLE)}"
    " WHERE id = :id AND project_id = :project_id AND revoked_at IS NULL"
)


async def insert(tx: Transaction, record: ManagementKeyRecord) -> None:
    await tx.execute(_INSERT, MANAGEMENT_KEYS.params_of(record))


async def find_by_hash(tx: Transaction, key_hash: str) -> ManagementKeyRecord | None:
    """The unrevoked key with this digest, of whichever project (the caller checks which)."""
    row = await tx.fetch_one(
        "SELECT * FROM management_keys WHERE key_hash = :h AND revoked_at IS NULL", {"h": key_hash}
    )
    return MANAGEMENT_KEYS.from_row(row) if row else None


async def find(tx: Transaction, project_id: str, key_id: str) -> ManagementKeyRecord | None:
    """The project's key ``key_id``, revoked or not."""
    row = await tx.fetch_one(
        "SELECT * FROM management_keys WHERE id = :id AND project_id = :p", {"id": key_id, "p": project_id}
    )
    return MANAGEMENT_KEYS.from_row(row) if row else None


async def list_keys(tx: Transaction, project_id: str, *, revoked_too: bool) -> list[ManagementKeyRecord]:
    """The project's keys, oldest first (revoked ones only with ``revoked_too``)."""
    live = "" if revoked_too else " AND revoked_at IS NULL"
    rows = await tx.fetch_all(
        f"SELECT * FROM management_keys WHERE project_id = :p{live} ORDER BY created_at, id", {"p": project_id}
    )
    return [MANAGEMENT_KEYS.from_row(row) for row in rows]


async def save(tx: Transaction, record: ManagementKeyRecord) -> None:
    """Overwrite the changeable fields of an unrevoked key (name, description, status, IPs)."""
    await tx.execute(_SAVE, MANAGEMENT_KEYS.params_of(record))


async def revoke(tx: Transaction, project_id: str, key_ids: Sequence[str], now_ms: int) -> int:
    """Revoke those of ``key_ids`` that are unrevoked keys of the project; how many were."""
    names, params = in_list("k", list(key_ids))
    return await tx.execute(
        f"UPDATE management_keys SET revoked_at = :now WHERE project_id = :p AND revoked_at IS NULL AND id IN {names}",
        {**params, "p": project_id, "now": now_ms},
    )
