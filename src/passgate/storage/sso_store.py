"""Tenants' SSO configurations (``sso_configurations``), one per tenant and ``sso_id``."""

from __future__ import annotations

from passgate.models.sso import SSOConfiguration
from passgate.storage.database import Transaction


async def find(tx: Transaction, project_id: str, tenant_id: str, sso_id: str = "") -> SSOConfiguration | None:
    row = await tx.fetch_one(
        "SELECT settings FROM sso_configurations WHERE project_id = :p AND tenant_id = :t AND sso_id = :s",
        {"p": project_id, "t": tenant_id, "s": sso_id},
    )
    return SSOConfiguration.model_validate_json(row["settings"]) if row else None


async def list_of_tenant(tx: Transaction, project_id: str, tenant_id: str) -> list[SSOConfiguration]:
    rows = await tx.fetch_all(
        "SELECT settings FROM sso_configurations WHERE project_id = :p AND tenant_id = :t ORDER BY sso_id",
        {"p": project_id, "t": tenant_id},
    )
    return [SSOConfiguration.model_validate_json(row["settings"]) for row in rows]


async def put(tx: Transaction, project_id: str, configuration: SSOConfiguration, now_ms: int) -> None:
    """Store ``configuration`` (replacing the tenant's of the same ``sso_id``)."""
    params = {
        "p": project_id,
        "t": configuration.tenant_id,
        "s": configuration.sso_id,
        "j": configuration.model_dump_json(),
        "now": now_ms,
    }
    changed = await tx.execute(
        "UPDATE sso_configurations SET settings = :j, modified_at = :now"
        " WHERE project_id = :p AND tenant_id = :t AND sso_id = :s",
        params,
    )
    if not changed:
        await tx.execute(
            "INSERT INTO sso_configurations (project_id, tenant_id, sso_id, settings, created_at, modified_at)"
            " VALUES (:p, :t, :s, :j, :now, :now)",
            params,
        )


async def delete(tx: Transaction, project_id: str, tenant_id: str, sso_id: str | None) -> int:
    """Delete the tenant's configuration ``sso_id`` (all of them for ``None``); how many."""
    if sso_id is None:
        return await tx.execute(
            "DELETE FROM sso_configurations WHERE project_id = :p AND tenant_id = :t", {"p": project_id, "t": tenant_id}
        )
    return await tx.execute(
        "DELETE FROM sso_configurations WHERE project_id = :p AND tenant_id = :t AND sso_id = :s",
        {"p": project_id, "t": tenant_id, "s": sso_id},
    )
