"""``POST /v1/mgmt/audit/search`` and ``POST /v1/mgmt/audit/event``."""

from __future__ import annotations

from passgate.auth import audit
from passgate.web.bearer import AuthCall
from passgate.web.schemas.audit import AuditEventRequest, AuditRecord, AuditSearchRequest, AuditSearchResponse
from passgate.web.schemas.base import EmptyResponse


async def search(body: AuditSearchRequest, call: AuthCall) -> AuditSearchResponse:
    """Audit events of the project, newest first; every given filter must match."""
    events = await audit.search(call.ctx, body.to_query(call.project.id), tuple(body.loginIds or ()))
    return AuditSearchResponse(audits=[AuditRecord.of(event) for event in events])


async def create_event(body: AuditEventRequest, call: AuthCall) -> EmptyResponse:
    """Store an event the application writes into its own audit trail."""
    await audit.record_app_event(call.ctx, call.project.id, body.to_event(), call.caller)
    return EmptyResponse()
