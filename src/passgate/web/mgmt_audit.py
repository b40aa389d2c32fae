"""``POST /v1/mgmt/audit/search``."""

from __future__ import annotations

from passgate.auth import audit
from passgate.models.audit import AuditEvent, AuditQuery
from passgate.web.bearer import AuthCall
from passgate.web.schemas.audit import AuditRecord, AuditSearchRequest, AuditSearchResponse, audit_data


def _record(event: AuditEvent) -> AuditRecord:
    return AuditRecord(
        projectId=event.project_id,
        userId=event.user_id or "",
        action=event.action,
        occurred=event.occurred_at_ms,
        device=event.user_agent,
        method="",
        geo="",
        remoteAddress=event.ip,
        externalIds=[event.login_id_masked] if event.login_id_masked else [],
        tenants=[],
        data=audit_data(event.outcome, event.detail),
    )


async def search(body: AuditSearchRequest, call: AuthCall) -> AuditSearchResponse:
    """Audit events of the project, newest first; every given filter must match."""
    query = AuditQuery(
        project_id=call.project.id,
        user_ids=tuple(body.userIds or ()),
        actions=tuple(body.actions or ()),
        remote_addresses=tuple(body.remoteAddresses or ()),
        from_ms=body.from_,
        to_ms=body.to,
        limit=body.limit or 100,
    )
    events = await audit.search(call.ctx, query, tuple(body.loginIds or ()))
    return AuditSearchResponse(audits=[_record(event) for event in events])
