"""Password policies (``password_policies``): the project's (tenant ``""``) and tenants' own."""

from __future__ import annotations

from collections.abc import Sequence

from passgate.models.passwords import PasswordPolicy
from passgate.storage.database import Transaction, in_list

PROJECT_LEVEL = ""


async def policy(tx: Transaction, project_id: str, tenant_id: str = PROJECT_LEVEL) -> PasswordPolicy | None:
    """The policy stored for the project (or that tenant), if one was set."""
    row = await tx.fetch_one(
        "SELECT settings FROM password_policies WHERE project_id = :p AND tenant_id = :t",
        {"p": project_id, "t": tenant_id},
    )
    return PasswordPolicy.model_validate_json(row["settings"]) if row else None


async def tenant_policies(tx: Transaction, project_id: str, tenant_ids: Sequence[str]) -> list[PasswordPolicy]:
    """The policies the given tenants set for themselves (tenants without one are left out)."""
    if not tenant_ids:
        return []
    placeholders, params = in_list("t", list(tenant_ids))
    rows = await tx.fetch_all(
        f"SELECT settings FROM password_policies WHERE project_id = :p AND tenant_id IN {placeholders}",
        {**params, "p": project_id},
    )
    return [PasswordPolicy.model_validate_json(row["settings"]) for row in rows]


async def put(tx: Transaction, project_id: str, tenant_id: str, chosen: PasswordPolicy) -> None:
    await tx.execute(
        "INSERT INTO password_policies (project_id, tenant_id, settings) VALUES (:p, :t, :s)"
        " ON CONFLICT (project_id, tenant_id) DO UPDATE SET settings = :s",
        {"p": project_id, "t": tenant_id, "s": chosen.model_dump_json()},
    )
