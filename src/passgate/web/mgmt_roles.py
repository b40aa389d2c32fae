"""Endpoints of role management (contract §5.4); the flows are in ``mgmt/roles.py``."""

from __future__ import annotations

from passgate.mgmt import roles
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse
from passgate.web.schemas.roles import (
    RoleBatchDeleteRequest,
    RoleBatchRequest,
    RoleRequest,
    RoleResponse,
    RoleSearchRequest,
    RolesResponse,
)


async def create_role(body: RoleRequest, call: AuthCall) -> EmptyResponse:
    """Create a role, project-level or in ``tenantId``; its permissions must exist."""
    await roles.create_roles(call.ctx, call.project, [body.new()])
    return EmptyResponse()


async def update_role(body: RoleRequest, call: AuthCall) -> EmptyResponse:
    """Replace a role's name, description, permissions and flags."""
    await roles.update_roles(call.ctx, call.project, [body.change()])
    return EmptyResponse()


async def delete_role(body: RoleRequest, call: AuthCall) -> EmptyResponse:
    """Delete a role (by name within ``tenantId``, or by ID) and every grant of it."""
    await roles.delete_roles(call.ctx, call.project, [body.ref()])
    return EmptyResponse()


async def load_all_roles(call: AuthCall) -> RolesResponse:
    """Every role of the project, project-level and tenant-level."""
    return RolesResponse(roles=[RoleResponse.of(role) for role in await roles.load_all(call.ctx, call.project)])


async def search_roles(body: RoleSearchRequest, call: AuthCall) -> RolesResponse:
    """Roles by tenant, name, name fragment, permission or ID (all optional)."""
    found = await roles.search(call.ctx, call.project, body.search())
    return RolesResponse(roles=[RoleResponse.of(role) for role in found])


async def create_roles_batch(body: RoleBatchRequest, call: AuthCall) -> EmptyResponse:
    """Create several roles: all or none."""
    await roles.create_roles(call.ctx, call.project, [item.new() for item in body.items()])
    return EmptyResponse()


async def update_roles_batch(body: RoleBatchRequest, call: AuthCall) -> EmptyResponse:
    """Update several roles: all or none."""
    await roles.update_roles(call.ctx, call.project, [item.change() for item in body.items()])
    return EmptyResponse()


async def delete_roles_batch(body: RoleBatchDeleteRequest, call: AuthCall) -> EmptyResponse:
    """Delete several roles of one scope, by name or ID."""
    await roles.delete_roles(call.ctx, call.project, body.refs())
    return EmptyResponse()
