"""One-time-code challenges and per-login-ID failure counters.

Every mutation is a single guarded statement, so limits hold under any concurrency:
attempts are claimed with ``attempts < max_attempts`` in the ``WHERE`` clause, and a
challenge is consumed by the one ``UPDATE`` that still finds it ``pending``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from passgate.identifiers import new_opaque_id
from passgate.storage import pending
from passgate.storage.database import Transaction
from passgate.storage.mapping import JSON, Column, RecordTable, as_is


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


CHALLENGES = RecordTable(
    "challenges",
    Challenge,
    (
        *as_is("id", "project_id", "login_id", "user_id", "purpose", "method", "code_hash"),
        *as_is("state", "attempts", "max_attempts"),
        Column("details", conversion=JSON),
        Column("created_at", "created_at_ms"),
        Column("expires_at", "expires_at_ms"),
    ),
)
_INSERT = CHALLENGES.insert_sql()


async def supersede_pending(tx: Transaction, project_id: str, login_id: str) -> None:
    """Invalidate every pending code of ``login_id``: a new code replaces older ones."""
    await tx.execute(
        "UPDATE challenges SET state = 'superseded' WHERE project_id = :p AND login_id = :l AND state = 'pending'",
        {"p": project_id, "l": login_id},
    )


async def insert_challenge(tx: Transaction, challenge: Challenge) -> None:
    """Store a new challenge as given (flows issue it ``pending``, no attempt used)."""
    await tx.execute(_INSERT, CHALLENGES.params_of(challenge))


async def latest(tx: Transaction, project_id: str, login_id: str) -> Challenge | None:
    """The newest challenge of ``login_id`` in any state (older ones are superseded)."""
    row = await tx.fetch_one(
        "SELECT * FROM challenges WHERE project_id = :p AND login_id = :l ORDER BY created_at DESC, id LIMIT 1",
        {"p": project_id, "l": login_id},
    )
    return CHALLENGES.from_row(row) if row else None


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


async def hold_failures(tx: Transaction, project_id: str, login_id: str, now_ms: int) -> None:
    """Lock the login ID's failure count for the rest of the transaction (the upsert that
    ``record_failure`` begins with, changing nothing), so a check that reads the count and
    then records a failure is exact under parallel requests, not only its last step.
    PostgreSQL holds the row lock until commit; SQLite serialises writers anyway."""
    await tx.execute(
        "INSERT INTO login_failures (project_id, login_id, window_start, failures, last_failure_at)"
        " VALUES (:p, :l, :now, 0, NULL)"
        " ON CONFLICT (project_id, login_id) DO UPDATE SET failures = login_failures.failures",
        {"p": project_id, "l": login_id, "now": now_ms},
    )


async def record_failure(
    tx: Transaction, project_id: str, login_id: str, now_ms: int, window_ms: int, limit: int, event_id: str = ""
) -> int | None:
    """Count one failure (as ``event_id``, when the caller may take it back with
    ``forget_failure``); ``None`` if the login ID already has ``limit`` failures in the
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
        {"id": event_id or new_opaque_id(), "p": project_id, "l": login_id, "now": now_ms},
    )
    return count + 1


async def forget_failure(tx: Transaction, event_id: str) -> None:
    """Take back a failure counted in advance (``record_failure``'s ``event_id``)."""
    await tx.execute("DELETE FROM login_failure_events WHERE id = :id", {"id": event_id})
