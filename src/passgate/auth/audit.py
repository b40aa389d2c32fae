"""The audit trail of authentication and management events.

Each event records when, which project, user, masked login ID, client IP, user agent,
the action and its outcome (and, on failure, the error code). Never a code, token, key or
full address: login IDs are stored masked, plus a keyed hash so a search by login ID works
without storing it. Events are written outside the flow's transaction, so a failed attempt
(whose flow transaction rolled back) is still recorded; concurrent events share one
transaction (``group_commit``), and each call returns once its event is committed.

An application may also write its own events (``record_app_event``): they share the table
and the search, with the application's type as the outcome and what it said under one
detail key, ``app_event``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import structlog

from passgate.addresses import looks_like_email, looks_like_phone, mask_email, mask_phone, normalize_login_id
from passgate.auth.context import AuthContext, Caller
from passgate.errors import DatabaseUnavailable, InternalError, InvalidArgument, MissingArgument, PassgateError
from passgate.identifiers import new_opaque_id
from passgate.models.audit import APP_EVENT_TYPES, AppEvent, AuditEvent, AuditQuery
from passgate.storage import audit_store

log = structlog.get_logger("passgate.audit")

ERROR_CODE = "error_code"  # the detail of a failure: its error's code
# Its key in events stored before details were snake_case; read as ``error_code``.
_LEGACY_ERROR_CODE = "errorCode"
APP_EVENT = "app_event"  # the detail of an application's event: what it said beyond action and type


def mask_login_id(login_id: str) -> str:
    """A login ID as it may appear in logs and the audit trail."""
    if looks_like_email(login_id):
        return mask_email(login_id)
    if looks_like_phone(login_id):
        return mask_phone(login_id)
    return login_id[:1] + "***" if login_id else ""


def login_id_hash(ctx: AuthContext, login_id: str) -> str:
    try:
        canonical = normalize_login_id(login_id)
    except PassgateError:
        canonical = login_id.strip()
    return ctx.secrets.code_mac("audit-login-id", canonical)


async def record(
    ctx: AuthContext,
    project_id: str,
    action: str,
    *,
    error: PassgateError | None = None,
    user_id: str | None = None,
    login_id: str | None = None,
    caller: Caller | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Write one audit event; a failure to write is logged, never raised to the client.

    A failure because the database is unavailable is logged, not written: the write would
    wait for the same database and hold the 503 back past its time bound."""
    if isinstance(error, DatabaseUnavailable):
        log.warning("audit event not written: database unavailable", action=action, project_id=project_id)
        return
    event = AuditEvent(
        id=new_opaque_id(),
        project_id=project_id,
        occurred_at_ms=ctx.now_ms(),
        action=action,
        outcome="failure" if error else "success",
        user_id=user_id,
        login_id_masked=mask_login_id(login_id) if login_id else "",
        login_id_hash=login_id_hash(ctx, login_id) if login_id else None,
        ip=caller.ip if caller else "",
        user_agent=caller.user_agent if caller else "",
        detail={**(detail or {}), **({ERROR_CODE: error.code} if error else {})},
    )
    if not await ctx.audit_log.write(event):
        log.error("audit event lost", action=action, project_id=project_id)


async def record_app_event(ctx: AuthContext, project_id: str, event: AppEvent, caller: Caller) -> None:
    """Store an event the application wrote; the audit search finds it like passgate's own.

    ``MissingArgument`` without an action, type, actor or tenant; ``InvalidArgument`` for a
    type other than info, warn or error. Unlike passgate's own events, a failed write is raised
    (``InternalError``): the application asked for this event and must know it was lost.
    """
    given = {"action": event.action, "type": event.type, "actorId": event.actor_id, "tenantId": event.tenant_id}
    for name, value in given.items():
        if not value.strip():
            raise MissingArgument(f"Missing field: {name}")
    if event.type not in APP_EVENT_TYPES:
        raise InvalidArgument(f"type must be one of {', '.join(APP_EVENT_TYPES)}")
    stored = AuditEvent(
        id=new_opaque_id(),
        project_id=project_id,
        occurred_at_ms=ctx.now_ms(),
        action=event.action,
        outcome=event.type,
        user_id=event.user_id or None,
        ip=caller.ip,
        user_agent=caller.user_agent,
        detail={APP_EVENT: {"actor_id": event.actor_id, "tenant_id": event.tenant_id, "data": event.data}},
    )
    if not await ctx.audit_log.write(stored):
        raise InternalError("The audit event could not be stored")


def app_event_of(event: AuditEvent) -> AppEvent | None:
    """The application's event ``event`` stores, or ``None`` for one of passgate's own."""
    said = event.detail.get(APP_EVENT)
    if not isinstance(said, dict):
        return None
    return AppEvent(
        action=event.action,
        type=event.outcome,
        actor_id=str(said.get("actor_id", "")),
        tenant_id=str(said.get("tenant_id", "")),
        user_id=event.user_id or "",
        data=dict(said.get("data") or {}),
    )


async def search(ctx: AuthContext, query: AuditQuery, login_ids: tuple[str, ...] = ()) -> list[AuditEvent]:
    """Events of a project matching the query; ``login_ids`` are matched by their keyed hash."""
    if login_ids:
        hashes = tuple(login_id_hash(ctx, login_id) for login_id in login_ids)
        query = AuditQuery(**{**query.__dict__, "login_id_hashes": hashes})
    async with ctx.db.transaction(write=False) as tx:
        events = await audit_store.search(tx, query)
    return [_with_current_detail(event) for event in events]


def _with_current_detail(event: AuditEvent) -> AuditEvent:
    """``event`` with a legacy ``errorCode`` detail renamed ``error_code``."""
    if _LEGACY_ERROR_CODE not in event.detail:
        return event
    detail = {(ERROR_CODE if key == _LEGACY_ERROR_CODE else key): value for key, value in event.detail.items()}
    return dataclasses.replace(event, detail=detail)
