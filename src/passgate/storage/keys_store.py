"""Signing keys of each project (private halves sealed)."""

from __future__ import annotations

from passgate.storage.database import Row, Transaction


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
) -> None:
    await tx.execute(
        "INSERT INTO signing_keys (kid, project_id, alg, private_key_sealed, public_jwk, status, created_at)"
        " VALUES (:kid, :project_id, :alg, :sealed, :jwk, :status, :now)",
        {
            "kid": kid,
            "project_id": project_id,
            "alg": alg,
            "sealed": private_key_sealed,
            "jwk": public_jwk,
            "status": status,
            "now": now_ms,
        },
    )


async def published_keys(tx: Transaction, project_id: str) -> list[Row]:
    """Every key of the project still in the JWKS (active first, then by age)."""
    return await tx.fetch_all(
        "SELECT kid, alg, status, public_jwk, private_key_sealed FROM signing_keys"
        " WHERE project_id = :p AND status IN ('active', 'next', 'retired')"
        " ORDER BY CASE status WHEN 'active' THEN 0 ELSE 1 END, created_at DESC",
        {"p": project_id},
    )
