"""Endpoints of tenant management (contract §5.3); the flows are in ``mgmt/tenants.py``."""

from __future__ import annotations

from passgate.mgmt import tenants
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse, required
from passgate.web.schemas.tenants import (
    TenantCreatedResponse,
    TenantDeleteRequest,
    TenantLookup,
    TenantRequest,
    TenantResponse,
    TenantSearchRequest,
    TenantSettingsRequest,
    TenantSettingsResponse,
    TenantsResponse,
)


async def create_tenant(body: TenantRequest, call: AuthCall) -> TenantCreatedResponse:
    """Create a tenant (ID generated unless given); ``{id}``."""
    tenant_id = await tenants.create_tenant(call.ctx, call.project, body.id, body.fields())
    return TenantCreatedResponse(id=tenant_id)


async def update_tenant(body: TenantRequest, call: AuthCall) -> EmptyResponse:
    """Replace the tenant's fields (those not given return to their defaults)."""
    await tenants.update_tenant(call.ctx, call.project, required(body.id, "id"), body.fields())
    return EmptyResponse()


async def patch_tenant(body: TenantRequest, call: AuthCall) -> EmptyResponse:
    """Change only the given fields of the tenant."""
    await tenants.patch_tenant(call.ctx, call.project, required(body.id, "id"), body.fields())
    return EmptyResponse()


async def delete_tenant(body: TenantDeleteRequest, call: AuthCall) -> EmptyResponse:
    """Delete the tenant; with ``cascade``, also the users who belonged to it alone."""
    await tenants.delete_tenant(call.ctx, call.project, required(body.id, "id"), cascade=bool(body.cascade))
    return EmptyResponse()


async def load_tenant(call: AuthCall, query: TenantLookup) -> TenantResponse:
    """The tenant as a bare object (E112201 if absent)."""
    return TenantResponse.of(await tenants.load_tenant(call.ctx, call.project, required(query.id, "id")))


async def load_all_tenants(call: AuthCall) -> TenantsResponse:
    """Every tenant of the project."""
    found = await tenants.search_tenants(call.ctx, call.project, tenants.TenantSearch())
    return TenantsResponse(tenants=[TenantResponse.of(tenant) for tenant in found])


async def search_tenants(body: TenantSearchRequest, call: AuthCall) -> TenantsResponse:
    """Tenants by IDs, names, self-provisioning domains and custom attributes (all optional)."""
    search = tenants.TenantSearch(
        ids=tuple(body.tenantIds or ()),
        names=tuple(body.tenantNames or ()),
        self_provisioning_domains=tuple(body.tenantSelfProvisioningDomains or ()),
        custom_attributes=body.customAttributes or {},
    )
    found = await tenants.search_tenants(call.ctx, call.project, search)
    return TenantsResponse(tenants=[TenantResponse.of(tenant) for tenant in found])


async def load_tenant_settings(call: AuthCall, query: TenantLookup) -> TenantSettingsResponse:
    """The tenant's SSO and session settings."""
    return TenantSettingsResponse.of(await tenants.load_tenant(call.ctx, call.project, required(query.id, "id")))


async def update_tenant_settings(body: TenantSettingsRequest, call: AuthCall) -> EmptyResponse:
    """Change the given settings of the tenant."""
    await tenants.update_settings(call.ctx, call.project, required(body.tenantId, "tenantId"), body.change())
    return EmptyResponse()
