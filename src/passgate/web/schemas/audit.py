"""Wire shapes of the audit search and of the events an application writes (contract §5.7)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from passgate.auth import audit
from passgate.models.audit import APP_EVENT_TYPES, AppEvent, AuditEvent, AuditQuery
from passgate.web.schemas.base import (
    UNIX_MS,
    LoginIdFilter,
    Request,
)


class AuditSearchRequest(Request):
    """Descope's audit search (a subset): times are unix milliseconds."""

    userIds: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    actions: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    loginIds: list[LoginIdFilter] | None = Field(default=None, max_length=100)
    remoteAddresses: list[Annotated[str, StringConstraints(max_length=64)]] | None = Field(default=None, max_length=100)
    from_: int | None = Field(default=None, alias="from", ge=0, le=10**15, description="Unix milliseconds.")
    to: int | None = UNIX_MS
    limit: int | None = Field(default=None, ge=1, le=1000)

    def to_query(self, project_id: str) -> AuditQuery:
        """The search as the audit store runs it (login IDs are hashed by the flow)."""
        return AuditQuery(
            project_id=project_id,
            user_ids=tuple(self.userIds or ()),
            actions=tuple(self.actions or ()),
            remote_addresses=tuple(self.remoteAddresses or ()),
            from_ms=self.from_,
            to_ms=self.to,
            limit=self.limit or 100,
        )


class AuditEventRequest(Request):
    """``mgmt.audit.create_event``: ``action``, ``type``, ``actorId`` and ``tenantId`` are required."""

    action: str | None = Field(default=None, max_length=64)
    type: str | None = Field(default=None, max_length=16, description=f"One of {', '.join(APP_EVENT_TYPES)}.")
    actorId: str | None = Field(default=None, max_length=320)
    tenantId: str | None = Field(default=None, max_length=64)
    userId: str | None = Field(default=None, max_length=32)
    data: dict[str, Any] | None = None

    def to_event(self) -> AppEvent:
        """The event as given (the flow checks what is required)."""
        return AppEvent(
            action=self.action or "",
            type=self.type or "",
            actor_id=self.actorId or "",
            tenant_id=self.tenantId or "",
            user_id=self.userId or "",
            data=self.data or {},
        )


class AuditRecord(BaseModel):
    projectId: str
    userId: str
    action: str
    occurred: int
    device: str
    method: str
    geo: str
    remoteAddress: str
    externalIds: list[str]
    tenants: list[str]
    data: dict[str, Any]
    type: str = Field(default="", description="An application's event: its type (info, warn, error).")
    actorId: str = Field(default="", description="An application's event: who acted.")

    @classmethod
    def of(cls, event: AuditEvent) -> AuditRecord:
        """An event as Descope's audit search answers it (the masked login ID as external ID);
        an application's event with its tenant, actor, type and data as it wrote them."""
        app = audit.app_event_of(event)
        return cls(
            projectId=event.project_id,
            userId=event.user_id or "",
            action=event.action,
            occurred=event.occurred_at_ms,
            device=event.user_agent,
            method="",
            geo="",
            remoteAddress=event.ip,
            externalIds=[event.login_id_masked] if event.login_id_masked else [],
            tenants=[app.tenant_id] if app else [],
            data=app.data if app else audit_data(event.outcome, event.detail),
            type=app.type if app else "",
            actorId=app.actor_id if app else "",
        )


class AuditSearchResponse(BaseModel):
    audits: list[AuditRecord]


_DETAIL_KEYS = {audit.ERROR_CODE: "errorCode"}  # an event's detail keys as Descope spells them


def wire_detail(detail: dict[str, Any]) -> dict[str, Any]:
    """An event's details with their keys spelled as Descope does (the CLI shows them so too)."""
    return {_DETAIL_KEYS.get(key, key): value for key, value in detail.items()}


def audit_data(outcome: str, detail: dict[str, Any]) -> dict[str, Any]:
    """An event's ``data``: its outcome and details, spelled as Descope does."""
    return {"outcome": outcome, **wire_detail(detail)}
