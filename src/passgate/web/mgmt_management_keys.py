"""Endpoints of management-key management (``client.mgmt.management_key``); the flows are in
``mgmt/management_keys.py``."""

from __future__ import annotations

from passgate.mgmt import management_keys
from passgate.web.bearer import AuthCall
from passgate.web.schemas.base import required
from passgate.web.schemas.management_keys import (
    DeletedCount,
    ManagementKeyCreateRequest,
    ManagementKeyIdsRequest,
    ManagementKeyLookup,
    ManagementKeyOut,
    ManagementKeysResponse,
    ManagementKeyUpdateRequest,
    ManagementKeyWithSecret,
    ManagementKeyWrapper,
)


async def create(body: ManagementKeyCreateRequest, call: AuthCall) -> ManagementKeyWithSecret:
    """Create an active key of the project; the key itself is in this answer only."""
    created = await management_keys.create_management_key(
        call.ctx.db, call.ctx.clock, project_id=call.project.id, new=body.to_new_key()
    )
    return ManagementKeyWithSecret.of(created)


async def update(body: ManagementKeyUpdateRequest, call: AuthCall) -> ManagementKeyWrapper:
    """Replace a key's name, description, permitted IPs and status."""
    key = await management_keys.update_management_key(
        call.ctx.db, call.project.id, required(body.id, "id"), body.to_changes()
    )
    return ManagementKeyWrapper(key=ManagementKeyOut.of(key))


async def load(call: AuthCall, query: ManagementKeyLookup) -> ManagementKeyWrapper:
    """Load a key by ``id`` (E112106 if there is none, or it was deleted)."""
    key = await management_keys.load_management_key(call.ctx.db, call.project.id, required(query.id, "id"))
    return ManagementKeyWrapper(key=ManagementKeyOut.of(key))


async def search(call: AuthCall) -> ManagementKeysResponse:
    """The project's keys that were not deleted, oldest first."""
    keys = await management_keys.list_management_keys(call.ctx.db, call.project.id, revoked_too=False)
    return ManagementKeysResponse(keys=[ManagementKeyOut.of(key) for key in keys])


async def delete(body: ManagementKeyIdsRequest, call: AuthCall) -> DeletedCount:
    """Delete keys for good (a deleted key fails its next call); how many were deleted."""
    total = await management_keys.delete_management_keys(call.ctx.db, call.ctx.clock, call.project.id, body.key_ids())
    return DeletedCount(total=total)
