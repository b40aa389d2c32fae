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
from passgate.storage.database import Row, Transaction


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


def _token(row: Row) -> LinkToken:
    return LinkToken(
        id=row["id"],
        project_id=row["project_id"],
        token_hash=row["token_hash"],
        kind=row["kind"],
        login_id=row["login_id"],
        user_id=row["user_id"],
        purpose=row["purpose"],
        method=row["method"],
        details=json.loads(row["details"]),
        state=row["state"],
        pending_id=row["pending_id"],
        decoy=bool(row["decoy"]),
        expires_at_ms=row["expires_at"],
    )


def _pending(row: Row) -> PendingSession:
    return PendingSession(
        id=row["id"],
        project_id=row["project_id"],
        state=row["state"],
        session_id=row["session_id"],
        grant_details=json.loads(row["grant_details"]) if row["grant_details"] else None,
        expires_at_ms=row["expires_at"],
    )


async def insert_token(tx: Transaction, token: LinkToken, now_ms: int) -> None:
    await tx.execute(
        "INSERT INTO link_tokens (id, project_id, token_hash, kind, login_id, user_id, purpose, method, details,"
        " state, pending_id, decoy, created_at, expires_at) VALUES (:id, :p, :hash, :kind, :login, :user, :purpose,"
        " :method, :details, 'pending', :pending, :decoy, :now, :expires)",
        {
            "id": token.id,
            "p": token.project_id,
            "hash": token.token_hash,
            "kind": token.kind,
            "login": token.login_id,
            "user": token.user_id,
            "purpose": token.purpose,
            "method": token.method,
            "details": json.dumps(token.details),
            "pending": token.pending_id,
            "decoy": token.decoy,
            "now": now_ms,
            "expires": token.expires_at_ms,
        },
    )


async def find_token(tx: Transaction, project_id: str, token_hash: str) -> LinkToken | None:
    row = await tx.fetch_one(
        "SELECT * FROM link_tokens WHERE token_hash = :h AND project_id = :p", {"h": token_hash, "p": project_id}
    )
    return _token(row) if row else None


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
    await tx.execute(
        "INSERT INTO pending_sessions (id, project_id, ref_hash, state, created_at, expires_at)"
        " VALUES (:id, :p, :ref, 'pending', :now, :expires)",
        {"id": pending_id, "p": project_id, "ref": ref_hash, "now": now_ms, "expires": expires_ms},
    )


async def find_pending(tx: Transaction, project_id: str, ref_hash: str) -> PendingSession | None:
    row = await tx.fetch_one(
        "SELECT * FROM pending_sessions WHERE ref_hash = :r AND project_id = :p", {"r": ref_hash, "p": project_id}
    )
    return _pending(row) if row else None


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
