"""The signed-in user's tenants: selecting one for the session (``dct``) and listing them
(contract §2.6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from passgate.auth import refresh_tokens
from passgate.auth.claims import SELECTED_TENANT
from passgate.auth.context import AuthContext
from passgate.errors import MissingArgument, NotATenantMember
from passgate.models.projects import Project
from passgate.models.sessions import SessionTokens
from passgate.storage import tenants_store


@dataclass(frozen=True)
class TenantInfo:
    """What a user may read about a tenant it belongs to."""

    id: str
    name: str
    custom_attributes: dict[str, Any] = field(default_factory=dict)


async def select_tenant(ctx: AuthContext, project: Project, refresh_jwt: str | None, tenant_id: str) -> SessionTokens:
    """New session and refresh JWTs carrying ``dct: <tenant_id>`` (``NotATenantMember`` unless
    the user belongs to it and it is not disabled). The session record stays; its refresh JWT moves to a new
    generation, so later refreshes keep ``dct``."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if not tenant_id:
        raise MissingArgument("Missing field: tenant")
    if current.user.authz.tenant(tenant_id) is None:
        raise NotATenantMember(f"The user is not a member of tenant {tenant_id!r}")
    async with ctx.db.transaction(write=False) as tx:
        found = await tenants_store.list_tenants(tx, project.id, ids=[tenant_id])
    if any(tenant.disabled for tenant in found):
        raise NotATenantMember(f"Tenant {tenant_id!r} is disabled")
    assert refresh_jwt is not None
    return await refresh_tokens.reissue(ctx, project, current, refresh_jwt, {SELECTED_TENANT: tenant_id})


async def my_tenants(
    ctx: AuthContext, project: Project, refresh_jwt: str | None, *, selected: bool, ids: list[str]
) -> list[TenantInfo]:
    """Tenants of the signed-in user: the one its refresh JWT selected (``selected``) and
    those among ``ids``; tenants the user does not belong to are left out."""
    current = await refresh_tokens.authenticate_refresh(ctx, project, refresh_jwt)
    if not selected and not ids:
        raise MissingArgument("Either dct must be true or ids must name tenants")
    dct = current.claims.get(SELECTED_TENANT)
    wanted = [*([dct] if selected and isinstance(dct, str) else []), *ids]
    member_of = {t.tenant_id for t in current.user.authz.tenants}
    chosen = [tenant_id for tenant_id in dict.fromkeys(wanted) if tenant_id in member_of]
    if not chosen:
        return []
    async with ctx.db.transaction(write=False) as tx:
        records = await tenants_store.list_tenants(tx, project.id, ids=chosen)
    return [TenantInfo(id=r.id, name=r.name, custom_attributes=r.custom_attributes) for r in records]
