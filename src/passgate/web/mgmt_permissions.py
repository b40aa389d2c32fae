"""Endpoints of permission management (contract §5.4); the flows are in ``mgmt/permissions.py``."""

from __future__ import annotations

from passgate.mgmt import permissions
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import EmptyResponse
from passgate.web.schemas.roles import (
    PermissionBatchDeleteRequest,
    PermissionBatchRequest,
    PermissionRequest,
    PermissionResponse,
    PermissionsResponse,
)


async def create_permission(body: PermissionRequest, call: AuthCall) -> EmptyResponse:
    """Create a permission (E112304 if the name is taken)."""
    await permissions.create_permissions(call.ctx, call.project, [body.new()])
    return EmptyResponse()


async def update_permission(body: PermissionRequest, call: AuthCall) -> EmptyResponse:
    """Rename a permission and replace its description; roles and users show the new name."""
    await permissions.update_permissions(call.ctx, call.project, [body.change()])
    return EmptyResponse()


async def delete_permission(body: PermissionRequest, call: AuthCall) -> EmptyResponse:
    """Delete a permission (by name or ID) and take it out of every role."""
    await permissions.delete_permissions(call.ctx, call.project, [body.ref()])
    return EmptyResponse()


async def load_all_permissions(call: AuthCall) -> PermissionsResponse:
    """Every permission of the project."""
    found = await permissions.load_all(call.ctx, call.project)
    return PermissionsResponse(permissions=[PermissionResponse.of(p) for p in found])


async def create_permissions_batch(body: PermissionBatchRequest, call: AuthCall) -> EmptyResponse:
    """Create several permissions: all or none."""
    await permissions.create_permissions(call.ctx, call.project, [item.new() for item in body.items()])
    return EmptyResponse()


async def update_permissions_batch(body: PermissionBatchRequest, call: AuthCall) -> EmptyResponse:
    """Update several permissions: all or none."""
    await permissions.update_permissions(call.ctx, call.project, [item.change() for item in body.items()])
    return EmptyResponse()


async def delete_permissions_batch(body: PermissionBatchDeleteRequest, call: AuthCall) -> EmptyResponse:
    """Delete several permissions by name or ID."""
    await permissions.delete_permissions(call.ctx, call.project, body.refs())
    return EmptyResponse()
