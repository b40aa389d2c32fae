"""Tenants of a project (contract §5.3): one row each; lists, attributes and settings as JSON.

Deleting a tenant removes what only makes sense inside it: memberships (by foreign key),
the roles defined in it (their grants and permissions follow by foreign key) and the
project roles granted in it (``principal_roles.tenant_id`` has no foreign key, so those
rows are deleted here explicitly).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel, Field

from passgate.storage.database import Row, Transaction, in_list

ExpirationUnit = Literal["minutes", "hours", "days", "weeks"]
_MAX_DURATION = 1_000_000  # in any unit: far beyond any sane setting, small enough for every SDK's int32


class TenantSettings(BaseModel):
    """A tenant's SSO and session settings, and the tenant fields that have no column of their own.

    Zero durations mean "the project's value". passgate stores these settings; which of them
    a flow applies is decided by that flow.
    """

    domains: list[str] = []
    auth_type: Literal["none", "saml", "oidc"] = "none"
    session_settings_enabled: bool = False
    refresh_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    refresh_token_expiration_unit: ExpirationUnit = "weeks"  # noqa: S105 (a unit, not a secret)
    session_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    session_token_expiration_unit: ExpirationUnit = "minutes"  # noqa: S105 (a unit, not a secret)
    stepup_token_expiration: int = Field(default=0, ge=0, le=_MAX_DURATION)
    stepup_token_expiration_unit: ExpirationUnit = "minutes"  # noqa: S105 (a unit, not a secret)
    enable_inactivity: bool = False
    inactivity_time: int = Field(default=0, ge=0, le=_MAX_DURATION)
    inactivity_time_unit: ExpirationUnit = "minutes"
    jit_disabled: bool = False
    sso_setup_suite: dict[str, Any] | None = None
    enforce_sso_exclusions: list[str] = []
    federated_app_ids: list[str] = []


@dataclass(frozen=True)
class TenantRecord:
    id: str
    name: str
    self_provisioning_domains: tuple[str, ...] = ()
    custom_attributes: dict[str, Any] = field(default_factory=dict)
    enforce_sso: bool = False
    disabled: bool = False
    settings: TenantSettings = field(default_factory=TenantSettings)
    created_at_ms: int = 0


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
