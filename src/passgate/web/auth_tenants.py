"""Tenant selection and the signed-in user's tenants (contract §2.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Response
from pydantic import BaseModel, Field, StringConstraints

from passgate.auth import tenants
from passgate.web.bearer import AuthDep
from passgate.web.cookies import jwt_answer
from passgate.web.schemas import JWTResponse, Request

TenantId = Annotated[str, StringConstraints(max_length=64)]


class SelectTenantRequest(Request):
    tenant: str | None = Field(default=None, max_length=64, description="The tenant to select (the user's).")


class MyTenantsRequest(Request):
    dct: bool | None = Field(default=None, description="Include the tenant the refresh JWT selected.")
    ids: list[TenantId] | None = Field(
        default=None, max_length=1000, description="Include these of the user's tenants."
    )


class TenantOut(BaseModel):
    id: str
    name: str
    customAttributes: dict[str, Any]

    @classmethod
    def of(cls, tenant: tenants.TenantInfo) -> TenantOut:
        return cls(id=tenant.id, name=tenant.name, customAttributes=tenant.custom_attributes)


class MyTenantsResponse(BaseModel):
    tenants: list[TenantOut]


async def select_tenant(body: SelectTenantRequest, call: AuthDep, response: Response) -> JWTResponse:
    """Session and refresh JWTs with ``dct`` set to a tenant the user belongs to."""
    tokens = await tenants.select_tenant(call.ctx, call.project, call.refresh_jwt, body.tenant or "")
    return jwt_answer(call.project, tokens, response)


async def my_tenants(body: MyTenantsRequest, call: AuthDep) -> MyTenantsResponse:
    """The selected tenant (``dct: true``) and/or those of ``ids`` the user belongs to."""
    found = await tenants.my_tenants(
        call.ctx, call.project, call.refresh_jwt, selected=bool(body.dct), ids=list(body.ids or [])
    )
    return MyTenantsResponse(tenants=[TenantOut.of(tenant) for tenant in found])


ROUTES: list[tuple[str, str, Callable[..., Any], str]] = [
    ("POST", "/v1/auth/tenant/select", select_tenant, "session"),
    ("POST", "/v1/auth/me/tenants", my_tenants, "session"),
]
