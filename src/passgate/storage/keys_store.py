"""Signing keys of each project (private halves sealed)."""

from __future__ import annotations

from passgate.storage.database import Row, Transaction
from passgate.storage.mapping import insert_sql

_COLUMNS = ("kid", "project_id", "alg", "private_key_sealed", "public_jwk", "status", "created_at", "activate_at")
_INSERT = insert_sql("signing_keys", _COLUMNS)


async def insert_signing_key(
    tx: Transaction,
    *,
    kid: str,
    project_id: str,
    alg: str,
    private_key_sealed: str,
    public_jwk: str,
    status: str,
    now_ms: int,
    activate_at_ms: int | None = None,
) -> None:
    await tx.execute(
        _INSERT,
        {
            "kid": kid,
            "project_id": project_id,
            "alg": alg,
            "private_key_sealed": private_key_sealed,
            "public_jwk": public_jwk,
            "status": status,
            "created_at": now_ms,
            "activate_at": activate_at_ms,
        },
    )


async def published_keys(tx: Transaction, project_id: str, retired_after_ms: int) -> list[Row]:
    """Every key of the project in the JWKS, active first: the active key, the next one
    (published before it signs), and retired keys retired after ``retired_after_ms`` (so
    every token they signed can still be verified until it expires)."""
    return await tx.fetch_all(
        "SELECT kid, alg, status, public_jwk, private_key_sealed, activate_at, retired_at, created_at"
        " FROM signing_keys WHERE project_id = :p"
        " AND (status IN ('active', 'next') OR (status = 'retired' AND retired_at > :horizon))"
        " ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'next' THEN 1 ELSE 2 END, created_at DESC",
        {"p": project_id, "horizon": retired_after_ms},
    )


async def all_keys(tx: Transaction, project_id: str) -> list[Row]:
    """Every key of the project ever made, newest first (for operators)."""
    return await tx.fetch_all(
        "SELECT kid, alg, status, created_at, activate_at, retired_at FROM signing_keys"
        " WHERE project_id = :p ORDER BY created_at DESC",
        {"p": project_id},
    )


async def promote(tx: Transaction, project_id: str, next_kid: str, now_ms: int) -> bool:
    """Make ``next_kid`` the signing key and retire the previous one; ``False`` if another
    process promoted it first."""
    promoted = await tx.execute(
        "UPDATE signing_keys SET status = 'active' WHERE kid = :kid AND project_id = :p AND status = 'next'",
        {"kid": next_kid, "p": project_id},
    )
    if promoted != 1:
        return False
    await tx.execute(
        "UPDATE signing_keys SET status = 'retired', retired_at = :now"
        " WHERE project_id = :p AND status = 'active' AND kid <> :kid",
        {"kid": next_kid, "p": project_id, "now": now_ms},
    )
    return True


async def drop_pending(tx: Transaction, project_id: str) -> None:
    """Remove a next key that has not started signing (a newer rotation replaces it)."""
    await tx.execute("DELETE FROM signing_keys WHERE project_id = :p AND status = 'next'", {"p": project_id})
