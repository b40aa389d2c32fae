"""Link tokens (magic, enchanted, embedded) and the pending sessions of enchanted links.

Tokens are found by their keyed hash; they are consumed by the one ``UPDATE`` that still
finds them ``pending``. A pending session moves ``pending → ready → claimed`` (or
``void``), each step a guarded ``UPDATE``, so exactly one poller receives the session.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passgate.storage import pending
from passgate.storage.database import Transaction
from passgate.storage.mapping import BOOL, JSON, JSON_OR_NULL, Column, RecordTable, as_is


@dataclass(frozen=True)
class LinkToken:
    id: str
    project_id: str
    token_hash: str
    kind: str  # magic | enchanted | embedded
    login_id: str
    user_id: str | None
    purpose: str
    method: str
    details: dict[str, Any]
    state: str
    pending_id: str | None
    decoy: bool
    expires_at_ms: int


@dataclass(frozen=True)
class PendingSession:
    id: str
    project_id: str
    state: str  # pending | ready | claimed | void
    session_id: str | None
    grant_details: dict[str, Any] | None
    expires_at_ms: int


LINK_TOKENS = RecordTable(
    "link_tokens",
    LinkToken,
    (
        *as_is("id", "project_id", "token_hash", "kind", "login_id", "user_id", "purpose", "method"),
        Column("details", conversion=JSON),
        *as_is("state", "pending_id"),
        Column("decoy", conversion=BOOL),
        Column("expires_at", "expires_at_ms"),
    ),
)
_INSERT_TOKEN = LINK_TOKENS.insert_sql("created_at")

PENDING_SESSIONS = RecordTable(
    "pending_sessions",
    PendingSession,
    (
        *as_is("id", "project_id", "state", "session_id"),
        Column("grant_details", conversion=JSON_OR_NULL),
        Column("expires_at", "expires_at_ms"),
    ),
)

_INSERT_PENDING = PENDING_SESSIONS.insert_sql("ref_hash", "created_at")


async def insert_token(tx: Transaction, token: LinkToken, now_ms: int) -> None:
    """Store a new token as given (flows issue it ``pending``), created at ``now_ms``."""
    await tx.execute(_INSERT_TOKEN, {**LINK_TOKENS.params_of(token), "created_at": now_ms})


async def find_token(tx: Transaction, project_id: str, token_hash: str) -> LinkToken | None:
    row = await tx.fetch_one(
        "SELECT * FROM link_tokens WHERE token_hash = :h AND project_id = :p", {"h": token_hash, "p": project_id}
    )
    return LINK_TOKENS.from_row(row) if row else None


async def consume_token(tx: Transaction, token_id: str, now_ms: int) -> bool:
    """Use the token once; ``False`` if another request already used or voided it."""
    changed = await tx.execute(
        "UPDATE link_tokens SET state = 'used', used_at = :now WHERE id = :id AND state = 'pending'",
        {"id": token_id, "now": now_ms},
    )
    return changed == 1


async def void_group(tx: Transaction, pending_id: str) -> None:
    """Void every token of an enchanted-link set and its pending session."""
    await tx.execute(
        "UPDATE link_tokens SET state = 'void' WHERE pending_id = :p AND state = 'pending'", {"p": pending_id}
    )
    await tx.execute(
        "UPDATE pending_sessions SET state = 'void' WHERE id = :p AND state = 'pending'", {"p": pending_id}
    )


async def usable_among(tx: Transaction, token_ids: list[str], now_ms: int) -> set[str]:
    """Those of ``token_ids`` still pending and unexpired (the outbox's stale check)."""
    return await pending.usable_among(tx, "link_tokens", token_ids, now_ms)


async def insert_pending(
    tx: Transaction, *, pending_id: str, project_id: str, ref_hash: str, now_ms: int, expires_ms: int
) -> None:
    """A new pending session of an enchanted-link set, found later by ``ref_hash``."""
    session = PendingSession(pending_id, project_id, "pending", None, None, expires_ms)
    await tx.execute(
        _INSERT_PENDING, {**PENDING_SESSIONS.params_of(session), "ref_hash": ref_hash, "created_at": now_ms}
    )


async def find_pending(tx: Transaction, project_id: str, ref_hash: str) -> PendingSession | None:
    row = await tx.fetch_one(
        "SELECT * FROM pending_sessions WHERE ref_hash = :r AND project_id = :p", {"r": ref_hash, "p": project_id}
    )
    return PENDING_SESSIONS.from_row(row) if row else None


async def mark_ready(tx: Transaction, pending_id: str, session_id: str, grant_details: dict[str, Any]) -> bool:
    changed = await tx.execute(
        "UPDATE pending_sessions SET state = 'ready', session_id = :s, grant_details = :g"
        " WHERE id = :id AND state = 'pending'",
        {"id": pending_id, "s": session_id, "g": json.dumps(grant_details)},
    )
    return changed == 1


async def claim_ready(tx: Transaction, pending_id: str) -> bool:
    """Hand the session to one poller; ``False`` if it was not ready or already claimed."""
    changed = await tx.execute(
        "UPDATE pending_sessions SET state = 'claimed', grant_details = NULL WHERE id = :id AND state = 'ready'",
        {"id": pending_id},
    )
    return changed == 1
