"""Management of tenants (contract §5.3): create, update (replace), patch, delete, load,
search, and the tenant's SSO/session settings.

IDs and names are unique per project (``TenantAlreadyExists``). A caller may choose the ID
(up to 64 URL-safe characters); otherwise one like ``T2…`` is generated. Deleting a tenant
ends every membership and removes the roles defined in it and every role granted in it;
with ``cascade`` it also deletes the users who belonged to this tenant and to no other
(their sessions die with them). Deleting a tenant that does not exist succeeds.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from passgate.auth.context import AuthContext
from passgate.errors import InvalidArgument, TenantAlreadyExists, TenantNotFound
from passgate.identifiers import new_tenant_id
from passgate.mgmt.permissions import clean_name
from passgate.models.projects import Project
from passgate.models.tenants import TenantRecord, TenantSettings
from passgate.storage import sessions_store, tenants_store, users_store
from passgate.storage.database import IntegrityViolation, Transaction

# URL-unreserved characters only: tenant IDs travel in query strings and JWT claim keys.
_TENANT_ID = re.compile(r"[A-Za-z0-9._~-]{1,64}")
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_DOMAIN = re.compile(rf"(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})+")


@dataclass(frozen=True)
class TenantFields:
    """The tenant fields of a create, update or patch; ``None`` means "not given"."""

    name: str | None = None
    self_provisioning_domains: Sequence[str] | None = None
    custom_attributes: Mapping[str, Any] | None = None
    enforce_sso: bool | None = None
    disabled: bool | None = None
    enforce_sso_exclusions: Sequence[str] | None = None
    federated_app_ids: Sequence[str] | None = None


@dataclass(frozen=True)
class SettingsChange:
    """A settings update: ``settings`` holds the ``TenantSettings`` fields to change."""

    self_provisioning_domains: Sequence[str] | None = None
    enforce_sso: bool | None = None
    settings: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TenantSearch:
    """Filters, combined with AND; an empty filter matches everything.

    A list matches any of its values; each custom attribute must equal the given value (or
    be one of the values, when a list is given).
    """

    ids: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    self_provisioning_domains: tuple[str, ...] = ()
    custom_attributes: Mapping[str, Any] = field(default_factory=dict)


def clean_domains(values: Sequence[str]) -> tuple[str, ...]:
    """Lower-cased, de-duplicated domain names; ``InvalidArgument`` for anything else."""
    cleaned = [value.strip().lower() for value in values]
    for domain in cleaned:
        if not _DOMAIN.fullmatch(domain):
            raise InvalidArgument(f"Invalid domain: {domain!r}")
    return tuple(dict.fromkeys(cleaned))


def _tenant_id(value: str | None) -> str:
    if not value:
        return new_tenant_id()
    if not _TENANT_ID.fullmatch(value):
        raise InvalidArgument("A tenant ID has 1-64 characters: letters, digits, '.', '_', '~' or '-'")
    return value


def _with_fields(base: TenantRecord, fields: TenantFields) -> TenantRecord:
    """``base`` with the given fields replaced, validated."""
    extras: dict[str, Any] = {}
    if fields.enforce_sso_exclusions is not None:
        extras["enforce_sso_exclusions"] = list(dict.fromkeys(fields.enforce_sso_exclusions))
    if fields.federated_app_ids is not None:
        extras["federated_app_ids"] = list(dict.fromkeys(fields.federated_app_ids))
    return dataclasses.replace(
        base,
        name=base.name if fields.name is None else clean_name(fields.name, "name"),
        self_provisioning_domains=base.self_provisioning_domains
        if fields.self_provisioning_domains is None
        else clean_domains(fields.self_provisioning_domains),
        custom_attributes=base.custom_attributes
        if fields.custom_attributes is None
        else dict(fields.custom_attributes),
        enforce_sso=base.enforce_sso if fields.enforce_sso is None else fields.enforce_sso,
        disabled=base.disabled if fields.disabled is None else fields.disabled,
        settings=base.settings.model_copy(update=extras),
    )


async def create_tenant(ctx: AuthContext, project: Project, tenant_id: str | None, fields: TenantFields) -> str:
    """Create the tenant; its ID. ``TenantAlreadyExists`` if the ID or the name is taken."""
    name = clean_name(fields.name or "", "name")
    tenant = _with_fields(TenantRecord(id=_tenant_id(tenant_id), name=name, created_at_ms=ctx.now_ms()), fields)
    async with ctx.db.transaction() as tx:
        if await tenants_store.get_tenant(tx, project.id, tenant.id) is not None:
            raise TenantAlreadyExists(f"Tenant already exists: {tenant.id}")
        await _require_free_name(tx, project, tenant)
        try:
            await tenants_store.insert_tenant(tx, project.id, tenant)
        except IntegrityViolation as exc:  # created concurrently
            raise TenantAlreadyExists() from exc
    return tenant.id


async def update_tenant(ctx: AuthContext, project: Project, tenant_id: str, fields: TenantFields) -> None:
    """Replace the tenant's fields: those not given return to their defaults (settings stay)."""
    clean_name(fields.name or "", "name")  # a replacement must name the tenant

    def reset(current: TenantRecord) -> TenantRecord:
        blank = TenantRecord(id=current.id, name=current.name, created_at_ms=current.created_at_ms)
        extras: dict[str, list[str]] = {"enforce_sso_exclusions": [], "federated_app_ids": []}
        return _with_fields(dataclasses.replace(blank, settings=current.settings.model_copy(update=extras)), fields)

    await _change(ctx, project, tenant_id, reset)


async def patch_tenant(ctx: AuthContext, project: Project, tenant_id: str, fields: TenantFields) -> None:
    """Change only the given fields."""
    await _change(ctx, project, tenant_id, lambda current: _with_fields(current, fields))


async def update_settings(ctx: AuthContext, project: Project, tenant_id: str, change: SettingsChange) -> None:
    """Change the given settings; the others keep their value. ``InvalidArgument`` if a value is unacceptable."""
    updates = dict(change.settings)
    if "domains" in updates:
        updates["domains"] = list(clean_domains(updates["domains"]))

    def apply(current: TenantRecord) -> TenantRecord:
        try:
            settings = TenantSettings.model_validate({**current.settings.model_dump(), **updates})
        except ValidationError as exc:
            error = exc.errors()[0]
            raise InvalidArgument(f"Invalid value for {'.'.join(map(str, error['loc']))}: {error['msg']}") from exc
        fields = TenantFields(
            self_provisioning_domains=change.self_provisioning_domains, enforce_sso=change.enforce_sso
        )
        return dataclasses.replace(_with_fields(current, fields), settings=settings)

    await _change(ctx, project, tenant_id, apply)


async def _change(
    ctx: AuthContext, project: Project, tenant_id: str, change: Callable[[TenantRecord], TenantRecord]
) -> None:
    """Load the tenant, store ``change(tenant)``; ``TenantNotFound`` / ``TenantAlreadyExists``."""
    async with ctx.db.transaction() as tx:
        updated = change(await existing_tenant(tx, project, tenant_id))
        await _require_free_name(tx, project, updated)
        try:
            await tenants_store.update_tenant(tx, project.id, updated)
        except IntegrityViolation as exc:  # renamed concurrently
            raise TenantAlreadyExists(f"Tenant name already in use: {updated.name}") from exc


async def _require_free_name(tx: Transaction, project: Project, tenant: TenantRecord) -> None:
    holder = await tenants_store.find_by_name(tx, project.id, tenant.name)
    if holder is not None and holder.id != tenant.id:
        raise TenantAlreadyExists(f"Tenant name already in use: {tenant.name}")


async def existing_tenant(tx: Transaction, project: Project, tenant_id: str) -> TenantRecord:
    tenant = await tenants_store.get_tenant(tx, project.id, tenant_id)
    if tenant is None:
        raise TenantNotFound(f"Tenant not found: {tenant_id}")
    return tenant


async def delete_tenant(ctx: AuthContext, project: Project, tenant_id: str, *, cascade: bool) -> None:
    """Delete the tenant, its memberships and roles; with ``cascade``, its sole-tenant users too."""
    async with ctx.db.transaction() as tx:
        if cascade:
            for user_id in await tenants_store.users_only_in(tx, project.id, tenant_id):
                await sessions_store.revoke_all_of_user(tx, user_id, ctx.now_ms())
                await users_store.delete_user(tx, user_id)
        await tenants_store.delete_tenant(tx, project.id, tenant_id)


async def load_tenant(ctx: AuthContext, project: Project, tenant_id: str) -> TenantRecord:
    """The tenant; ``TenantNotFound`` if there is none with this ID."""
    async with ctx.db.transaction(write=False) as tx:
        return await existing_tenant(tx, project, tenant_id)


async def search_tenants(ctx: AuthContext, project: Project, search: TenantSearch) -> list[TenantRecord]:
    """The tenants passing every given filter, oldest first (no filter: all of them)."""
    async with ctx.db.transaction(write=False) as tx:
        tenants = await tenants_store.list_tenants(
            tx, project.id, ids=list(search.ids) or None, names=list(search.names) or None
        )
    wanted_domains = {domain.strip().lower() for domain in search.self_provisioning_domains}
    return [
        tenant
        for tenant in tenants
        if (not wanted_domains or wanted_domains & set(tenant.self_provisioning_domains))
        and all(
            _attribute_matches(tenant.custom_attributes.get(key), value)
            for key, value in search.custom_attributes.items()
        )
    ]


def _attribute_matches(actual: Any, wanted: Any) -> bool:
    return actual in wanted if isinstance(wanted, list) else bool(actual == wanted)
