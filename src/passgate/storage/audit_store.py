"""The audit log: one row per authentication or management event."""

from __future__ import annotations

from typing import Any

from passgate.models.audit import AuditEvent, AuditQuery
from passgate.storage.database import Transaction
from passgate.storage.mapping import JSON, Column, RecordTable, as_is

AUDIT_EVENTS = RecordTable(
    "audit_events",
    AuditEvent,
    (
        *as_is("id", "project_id"),
        Column("occurred_at", "occurred_at_ms"),
        *as_is("action", "outcome", "user_id", "login_id_masked", "login_id_hash", "ip", "user_agent"),
        Column("detail", conversion=JSON),
    ),
)
_INSERT = AUDIT_EVENTS.insert_sql()


async def insert(tx: Transaction, event: AuditEvent) -> None:
    await tx.execute(_INSERT, AUDIT_EVENTS.params_of(event))


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
    return [AUDIT_EVENTS.from_row(row) for row in rows]
