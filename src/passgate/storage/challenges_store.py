"""One-time-code challenges and per-login-ID failure counters.

Every mutation is a single guarded statement, so limits hold under any concurrency:
attempts are claimed with ``attempts < max_attempts`` in the ``WHERE`` clause, and a
challenge is consumed by the one ``UPDATE`` that still finds it ``pending``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from passgate.identifiers import new_opaque_id
from passgate.storage import pending
from passgate.storage.database import Row, Transaction


@dataclass(frozen=True)
class Challenge:
    id: str
    project_id: str
    login_id: str
    user_id: str | None
    purpose: str
    method: str
    code_hash: str
    state: str
    attempts: int
    max_attempts: int
    details: dict[str, Any]
    created_at_ms: int
    expires_at_ms: int


def _challenge(row: Row) -> Challenge:
    return Challenge(
        id=row["id"],
        project_id=row["project_id"],
        login_id=row["login_id"],
        user_id=row["user_id"],
        purpose=row["purpose"],
        method=row["method"],
        code_hash=row["code_hash"],
        state=row["state"],
        attempts=row["attempts"],
        max_attempts=row["max_attempts"],
        details=json.loads(row["details"]),
        created_at_ms=row["created_at"],
        expires_at_ms=row["expires_at"],
    )


async def supersede_pending(tx: Transaction, project_id: str, login_id: str) -> None:
    """Invalidate every pending code of ``login_id``: a new code replaces older ones."""
    await tx.execute(
        "UPDATE challenges SET state = 'superseded' WHERE project_id = :p AND login_id = :l AND state = 'pending'",
        {"p": project_id, "l": login_id},
    )


async def insert_challenge(tx: Transaction, challenge: Challenge) -> None:
    await tx.execute(
        "INSERT INTO challenges (id, project_id, login_id, user_id, purpose, method, code_hash, state,"
        " attempts, max_attempts, details, created_at, expires_at)"
        " VALUES (:id, :p, :l, :u, :purpose, :method, :hash, 'pending', 0, :max, :details, :created, :expires)",
        {
            "id": challenge.id,
            "p": challenge.project_id,
            "l": challenge.login_id,
            "u": challenge.user_id,
            "purpose": challenge.purpose,
            "method": challenge.method,
            "hash": challenge.code_hash,
            "max": challenge.max_attempts,
            "details": json.dumps(challenge.details),
            "created": challenge.created_at_ms,
            "expires": challenge.expires_at_ms,
        },
    )


async def latest(tx: Transaction, project_id: str, login_id: str) -> Challenge | None:
    """The newest challenge of ``login_id`` in any state (older ones are superseded)."""
    row = await tx.fetch_one(
        "SELECT * FROM challenges WHERE project_id = :p AND login_id = :l ORDER BY created_at DESC, id LIMIT 1",
        {"p": project_id, "l": login_id},
    )
    return _challenge(row) if row else None


async def claim_attempt(tx: Transaction, challenge_id: str) -> int | None:
    """Count one attempt of a wrong code; the new count, or ``None`` if none are left."""
    row = await tx.fetch_one(
        "UPDATE challenges SET attempts = attempts + 1"
        " WHERE id = :id AND state = 'pending' AND attempts < max_attempts RETURNING attempts",
        {"id": challenge_id},
    )
    return int(row["attempts"]) if row else None


async def burn(tx: Transaction, challenge_id: str) -> None:
    """Mark a challenge unusable after its last attempt failed."""
    await tx.execute(
        "UPDATE challenges SET state = 'burned' WHERE id = :id AND state = 'pending'", {"id": challenge_id}
    )


async def claim_and_consume(tx: Transaction, challenge_id: str, now_ms: int) -> bool:
    """Count the attempt of a matching code and use the challenge, in one guarded statement;
    ``False`` if no attempt is left or another request already used or burned it."""
    changed = await tx.execute(
        "UPDATE challenges SET attempts = attempts + 1, state = 'used', used_at = :now"
        " WHERE id = :id AND state = 'pending' AND attempts < max_attempts",
        {"id": challenge_id, "now": now_ms},
    )
    return changed == 1


async def usable_among(tx: Transaction, challenge_ids: list[str], now_ms: int) -> set[str]:
    """Those of ``challenge_ids`` still pending and unexpired (the outbox's stale check)."""
    return await pending.usable_among(tx, "challenges", challenge_ids, now_ms)


@dataclass(frozen=True)
class Failures:
    count: int
    last_at_ms: int


async def failures_in_window(tx: Transaction, project_id: str, login_id: str, window_start_ms: int) -> Failures:
    """Failed verifications of ``login_id`` since ``window_start_ms`` (a rolling window), and
    the time of the last one."""
    row = await tx.fetch_one(
        "SELECT COUNT(*) AS n, MAX(at) AS last FROM login_failure_events"
        " WHERE project_id = :p AND login_id = :l AND at > :w",
        {"p": project_id, "l": login_id, "w": window_start_ms},
    )
    return Failures(int(row["n"]), int(row["last"] or 0)) if row else Failures(0, 0)


async def record_failure(
    tx: Transaction, project_id: str, login_id: str, now_ms: int, window_ms: int, limit: int
) -> int | None:
    """Count one failure; ``None`` if the login ID already has ``limit`` failures in the
    rolling window, so concurrent failures can never exceed it.

    The upsert of the login ID's ``login_failures`` row comes first: it takes that row's lock
    (PostgreSQL; SQLite serialises writers anyway), so the count below is exact.
    """
    await tx.execute(
        "INSERT INTO login_failures (project_id, login_id, window_start, failures, last_failure_at)"
        " VALUES (:p, :l, :now, 0, :now)"
        " ON CONFLICT (project_id, login_id) DO UPDATE SET last_failure_at = :now",
        {"p": project_id, "l": login_id, "now": now_ms},
    )
    params = {"p": project_id, "l": login_id, "cutoff": now_ms - window_ms}
    await tx.execute(
        "DELETE FROM login_failure_events WHERE project_id = :p AND login_id = :l AND at <= :cutoff", params
    )
    row = await tx.fetch_one(
        "SELECT COUNT(*) AS n FROM login_failure_events WHERE project_id = :p AND login_id = :l", params
    )
    count = int(row["n"]) if row else 0
    if count >= limit:
        return None
    await tx.execute(
        "INSERT INTO login_failure_events (id, project_id, login_id, at) VALUES (:id, :p, :l, :now)",
        {"id": new_opaque_id(), "p": project_id, "l": login_id, "now": now_ms},
    )
    return count + 1
