"""Endpoints of access-key management (contract §5.5); the flows are in ``mgmt/access_keys.py``."""

from __future__ import annotations

from passgate.mgmt import access_keys
from passgate.web.bearer import AuthCall
from passgate.web.schemas.access_keys import (
    AccessKeyCreateRequest,
    AccessKeyIdRequest,
    AccessKeyIdsRequest,
    AccessKeyLookup,
    AccessKeyOut,
    AccessKeySearchRequest,
    AccessKeysResponse,
    AccessKeyUpdateRequest,
    AccessKeyWithSecret,
    AccessKeyWrapper,
)
from passgate.web.schemas.base import EmptyResponse, required


async def create(body: AccessKeyCreateRequest, call: AuthCall) -> AccessKeyWithSecret:
    """Create an active key; its cleartext is in this answer only."""
    created = await access_keys.create_access_key(
        call.ctx, call.project, body.to_new_key(), created_by=call.management_key_id
    )
    return AccessKeyWithSecret.of(created)


async def load(call: AuthCall, query: AccessKeyLookup) -> AccessKeyWrapper:
    """Load a key by ``id`` (E112401 if there is none)."""
    key = await access_keys.load_access_key(call.ctx, call.project, required(query.id, "id"))
    return AccessKeyWrapper(key=AccessKeyOut.of(key))


async def search(body: AccessKeySearchRequest, call: AuthCall) -> AccessKeysResponse:
    """The project's keys matching every filter given."""
    keys = await access_keys.search_access_keys(call.ctx, call.project, body.to_search())
    return AccessKeysResponse(keys=[AccessKeyOut.of(key) for key in keys])


async def update(body: AccessKeyUpdateRequest, call: AuthCall) -> EmptyResponse:
    """Rename a key and replace the other fields given."""
    await access_keys.update_access_key(call.ctx, call.project, required(body.id, "id"), body.to_changes())
    return EmptyResponse()


async def activate(body: AccessKeyIdRequest, call: AuthCall) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, [required(body.id, "id")], True)
    return EmptyResponse()


async def deactivate(body: AccessKeyIdRequest, call: AuthCall) -> EmptyResponse:
    """Keep the key but refuse its exchange until it is activated again."""
    await access_keys.set_active(call.ctx, call.project, [required(body.id, "id")], False)
    return EmptyResponse()


async def delete(body: AccessKeyIdRequest, call: AuthCall) -> EmptyResponse:
    await access_keys.delete_access_keys(call.ctx, call.project, [required(body.id, "id")])
    return EmptyResponse()


async def rotate(body: AccessKeyIdRequest, call: AuthCall) -> AccessKeyWithSecret:
    """A new secret for the key; the old one stops working at once."""
    rotated = await access_keys.rotate_access_key(call.ctx, call.project, required(body.id, "id"))
    return AccessKeyWithSecret.of(rotated)


async def activate_batch(body: AccessKeyIdsRequest, call: AuthCall) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, body.key_ids(), True)
    return EmptyResponse()


async def deactivate_batch(body: AccessKeyIdsRequest, call: AuthCall) -> EmptyResponse:
    await access_keys.set_active(call.ctx, call.project, body.key_ids(), False)
    return EmptyResponse()


async def delete_batch(body: AccessKeyIdsRequest, call: AuthCall) -> EmptyResponse:
    await access_keys.delete_access_keys(call.ctx, call.project, body.key_ids())
    return EmptyResponse()
