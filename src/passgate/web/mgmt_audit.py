"""``POST /v1/mgmt/audit/search``."""

from __future__ import annotations

from passgate.auth import audit
from passgate.web.bearer import AuthCall
from passgate.web.schemas.audit import AuditRecord, AuditSearchRequest, AuditSearchResponse


async def search(body: AuditSearchRequest, call: AuthCall) -> AuditSearchResponse:
    """Audit events of the project, newest first; every given filter must match."""
    events = await audit.search(call.ctx, body.to_query(call.project.id), tuple(body.loginIds or ()))
    return AuditSearchResponse(audits=[AuditRecord.of(event) for event in events])
