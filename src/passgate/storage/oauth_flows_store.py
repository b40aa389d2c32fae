"""Social login flows on their way (``oauth_flows``): ``started`` → ``returned`` →
``exchanged``, or ``failed``.

A flow is found by the keyed hash of its ``state`` (at the callback) or of its one-time
code (at the exchange); each step is the one ``UPDATE`` that still finds the flow in the
step before and unexpired, so a state or a code is used once whatever runs in parallel.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passgate.storage.database import Transaction
from passgate.storage.mapping import JSON, Column, RecordTable, as_is

STARTED, RETURNED, EXCHANGED, FAILED = "started", "returned", "exchanged", "failed"


@dataclass(frozen=True)
class Flow:
    id: str
    project_id: str
    provider: str
    state_hash: str
    binding_hash: str  # "" when the start did not come from a browser
    status: str
    redirect_url: str
    callback_url: str
    details: dict[str, Any]
    user_id: str | None
    expires_at_ms: int


FLOWS = RecordTable(
    "oauth_flows",
    Flow,
    (
        *as_is("id", "project_id", "provider", "state_hash", "binding_hash", "status", "redirect_url", "callback_url"),
        Column("details", conversion=JSON),
        Column("user_id"),
        Column("expires_at", "expires_at_ms"),
    ),
)
_INSERT = FLOWS.insert_sql("created_at")


async def insert(tx: Transaction, flow: Flow, now_ms: int) -> None:
    """Store a started flow, and drop the project's flows that have expired."""
    await tx.execute(
        "DELETE FROM oauth_flows WHERE project_id = :p AND expires_at <= :now", {"p": flow.project_id, "now": now_ms}
    )
    await tx.execute(_INSERT, {**FLOWS.params_of(flow), "created_at": now_ms})


async def find_by_state(tx: Transaction, state_hash: str) -> Flow | None:
    row = await tx.fetch_one("SELECT * FROM oauth_flows WHERE state_hash = :h", {"h": state_hash})
    return FLOWS.from_row(row) if row else None


async def find_by_code(tx: Transaction, project_id: str, code_hash: str) -> Flow | None:
    row = await tx.fetch_one(
        "SELECT * FROM oauth_flows WHERE code_hash = :h AND project_id = :p", {"h": code_hash, "p": project_id}
    )
    return FLOWS.from_row(row) if row else None


async def advance(tx: Transaction, flow_id: str, before: str, after: str, now_ms: int) -> bool:
    """Move the flow from ``before`` to ``after`` if it is still ``before`` and unexpired;
    ``False`` if another request moved it first or it expired."""
    changed = await tx.execute(
        "UPDATE oauth_flows SET status = :after WHERE id = :id AND status = :before AND expires_at > :now",
        {"id": flow_id, "before": before, "after": after, "now": now_ms},
    )
    return changed == 1


async def record_return(
    tx: Transaction, flow_id: str, user_id: str, code_hash: str, details: dict[str, Any], expires_at_ms: int
) -> None:
    """The provider answered for ``user_id``: the flow now waits for its code (until
    ``expires_at_ms``), with what the exchange needs in ``details``."""
    await tx.execute(
        "UPDATE oauth_flows SET user_id = :u, code_hash = :c, details = :d, expires_at = :e WHERE id = :id",
        {"id": flow_id, "u": user_id, "c": code_hash, "d": json.dumps(details), "e": expires_at_ms},
    )
