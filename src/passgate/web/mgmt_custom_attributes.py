"""Endpoints of the custom attributes a project defines for its users; the flows are in
``mgmt/custom_attributes.py``."""

from __future__ import annotations

from passgate.mgmt import custom_attributes
from passgate.web.bearer import AuthCall
from passgate.web.schemas.custom_attributes import (
    CreateAttributesRequest,
    CustomAttributesResponse,
    DeleteAttributesRequest,
)


async def create(body: CreateAttributesRequest, call: AuthCall) -> CustomAttributesResponse:
    """Define attributes (all or none); every definition after it."""
    return CustomAttributesResponse.of(await custom_attributes.define(call.ctx, call.project, body.to_new()))


async def delete(body: DeleteAttributesRequest, call: AuthCall) -> CustomAttributesResponse:
    """Delete definitions by name (unknown names are skipped); the definitions left."""
    return CustomAttributesResponse.of(await custom_attributes.remove(call.ctx, call.project, body.names or []))


async def load(call: AuthCall) -> CustomAttributesResponse:
    """Every definition of the project."""
    return CustomAttributesResponse.of(await custom_attributes.definitions(call.ctx, call.project))
