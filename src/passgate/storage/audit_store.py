"""The audit log: one row per authentication or management event."""

from __future__ import annotations

import json
from typing import Any

from passgate.models.audit import AuditEvent, AuditQuery
from passgate.storage.database import Row, Transaction


def _event(row: Row) -> AuditEvent:
    return AuditEvent(
        id=row["id"],
        project_id=row["project_id"],
        occurred_at_ms=row["occurred_at"],
        action=row["action"],
        outcome=row["outcome"],
        user_id=row["user_id"],
        login_id_masked=row["login_id_masked"],
        login_id_hash=row["login_id_hash"],
        ip=row["ip"],
        user_agent=row["user_agent"],
        detail=json.loads(row["detail"]),
    )


async def insert(tx: Transaction, event: AuditEvent) -> None:
    await tx.execute(
        "INSERT INTO audit_events (id, project_id, occurred_at, action, outcome, user_id, login_id_masked,"
        " login_id_hash, ip, user_agent, detail) VALUES (:id, :p, :at, :action, :outcome, :user, :masked, :hash,"
        " :ip, :ua, :detail)",
        {
            "id": event.id,
            "p": event.project_id,
            "at": event.occurred_at_ms,
            "action": event.action,
            "outcome": event.outcome,
            "user": event.user_id,
            "masked": event.login_id_masked,
            "hash": event.login_id_hash,
            "ip": event.ip,
            "ua": event.user_agent,
            "detail": json.dumps(event.detail),
        },
    )


def _in(column: str, prefix: str, values: tuple[str, ...], params: dict[str, Any]) -> str:
    names = []
    for index, value in enumerate(values):
        params[f"{prefix}{index}"] = value
        names.append(f":{prefix}{index}")
    return f"{column} IN ({', '.join(names)})"


async def search(tx: Transaction, query: AuditQuery) -> list[AuditEvent]:
    """Events matching every given filter, newest first (one query)."""
    params: dict[str, Any] = {"p": query.project_id, "n": query.limit}
    where = ["project_id = :p"]
    for column, prefix, values in (
        ("user_id", "u", query.user_ids),
        ("action", "a", query.actions),
        ("login_id_hash", "h", query.login_id_hashes),
        ("ip", "i", query.remote_addresses),
    ):
        if values:
            where.append(_in(column, prefix, values, params))
    if query.from_ms is not None:
        where.append("occurred_at >= :from_ms")
        params["from_ms"] = query.from_ms
    if query.to_ms is not None:
        where.append("occurred_at <= :to_ms")
        params["to_ms"] = query.to_ms
    rows = await tx.fetch_all(
        f"SELECT * FROM audit_events WHERE {' AND '.join(where)} ORDER BY occurred_at DESC, id LIMIT :n", params
    )
    return [_event(row) for row in rows]
