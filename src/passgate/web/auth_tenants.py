"""Tenant selection and the signed-in user's tenants (contract §2.6)."""

from __future__ import annotations

from starlette.responses import Response

from passgate.auth import tenants
from passgate.web.bearer import AuthCall
from passgate.web.cookies import jwt_answer
from passgate.web.schemas.sessions import (
    JWTResponse,
    MyTenantsRequest,
    MyTenantsResponse,
    SelectTenantRequest,
    TenantOut,
)


async def select_tenant(body: SelectTenantRequest, call: AuthCall, response: Response) -> JWTResponse:
    """Session and refresh JWTs with ``dct`` set to a tenant the user belongs to."""
    tokens = await tenants.select_tenant(call.ctx, call.project, call.refresh_jwt, body.tenant or "")
    return jwt_answer(call.project, tokens, response)


async def my_tenants(body: MyTenantsRequest, call: AuthCall) -> MyTenantsResponse:
    """The selected tenant (``dct: true``) and/or those of ``ids`` the user belongs to."""
    found = await tenants.my_tenants(
        call.ctx, call.project, call.refresh_jwt, selected=bool(body.dct), ids=list(body.ids or [])
    )
    return MyTenantsResponse(tenants=[TenantOut.of(tenant) for tenant in found])
