"""The outbox table: messages written in the same transaction as the secret they carry.

States: ``queued`` → ``sending`` (leased) → ``sent`` | ``retry`` (due again at
``available_at``) | ``failed`` | ``dropped`` (stale: its code expired or was used first).
A claim names its worker (``claimed_by``), which renews the lease while it works
(``renew_leases``); a ``sending`` row whose lease ran out is claimable again, so a dead
worker loses nothing. Only the claim's holder records the outcome: a worker that stalled
past its lease and lost the claim to another changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from passgate.storage.database import Transaction
from passgate.storage.mapping import Column, RecordTable, as_is


@dataclass(frozen=True)
class OutboxMessage:
    id: str
    project_id: str
    channel: str
    challenge_id: str | None
    payload_sealed: str | None
    attempts: int
    created_at_ms: int = 0
    state: str = "queued"
    last_error: str | None = None


OUTBOX = RecordTable(
    "outbox",
    OutboxMessage,
    (
        *as_is("id", "project_id", "channel", "challenge_id", "payload_sealed", "attempts"),
        Column("created_at", "created_at_ms"),
        *as_is("state", "last_error"),
    ),
)
_ENQUEUE = OUTBOX.insert_sql("available_at")


async def enqueue(tx: Transaction, message: OutboxMessage, now_ms: int) -> None:
    """Queue a new message as given (flows give it ``queued``, no attempt made), due and created at ``now_ms``."""
    await tx.execute(_ENQUEUE, {**OUTBOX.params_of(message), "created_at": now_ms, "available_at": now_ms})


_CLAIM = (
    "UPDATE outbox SET state = 'sending', attempts = attempts + 1, lease_until = :lease, claimed_by = :worker"
    " WHERE id IN (SELECT id FROM outbox"
    " WHERE (state IN ('queued', 'retry') AND available_at <= :now) OR (state = 'sending' AND lease_until < :now)"
    " ORDER BY available_at LIMIT :n{lock}) RETURNING *"
)
# Every change a claim's holder makes is guarded by this: the row is still its claim.
_HELD = "state = 'sending' AND claimed_by = :worker"


async def claim_due(
    tx: Transaction, *, worker: str, now_ms: int, lease_ms: int, limit: int, skip_locked: bool
) -> list[OutboxMessage]:
    """Lease up to ``limit`` due messages to ``worker`` until ``now_ms + lease_ms``.

    With ``skip_locked`` (PostgreSQL) concurrent workers never claim the same row.
    """
    sql = _CLAIM.format(lock=" FOR UPDATE SKIP LOCKED" if skip_locked else "")
    rows = await tx.fetch_all(sql, {"worker": worker, "now": now_ms, "lease": now_ms + lease_ms, "n": limit})
    return [OUTBOX.from_row(row) for row in rows]


async def renew_leases(tx: Transaction, *, worker: str, now_ms: int, lease_ms: int, skip_locked: bool) -> int:
    """Extend every claim ``worker`` still holds to ``now_ms + lease_ms``; how many were renewed.

    With ``skip_locked`` (PostgreSQL) rows another transaction has locked are left alone:
    they are the worker's own outcomes being committed, or claims another worker is taking
    over after their lease ran out, so the claim is ending either way; and waiting for them
    would deadlock against the outcomes' transaction, which updates the same rows in
    another order.
    """
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    return await tx.execute(
        f"UPDATE outbox SET lease_until = :lease WHERE id IN (SELECT id FROM outbox WHERE {_HELD}{lock})",
        {"worker": worker, "lease": now_ms + lease_ms},
    )


async def finish(
    tx: Transaction, message_id: str, state: str, now_ms: int, error: str | None = None, *, worker: str
) -> bool:
    """Close a message ``worker`` holds as ``sent``, ``failed`` or ``dropped``; False (nothing
    changed) if the claim is no longer its own.

    The sealed payload (which holds the secret) is erased unless the message failed: an
    operator may re-drive a failed message, and the stale check still drops it if its
    secret expired meanwhile.
    """
    changed = await tx.execute(
        "UPDATE outbox SET state = :state, finished_at = :now, lease_until = NULL, last_error = :error,"
        f" payload_sealed = CASE WHEN :keep THEN payload_sealed ELSE NULL END WHERE id = :id AND {_HELD}",
        {"id": message_id, "state": state, "now": now_ms, "error": error, "keep": state == "failed", "worker": worker},
    )
    return changed == 1


async def schedule_retry(tx: Transaction, message_id: str, available_at_ms: int, error: str, *, worker: str) -> bool:
    """Put a message ``worker`` holds back in the queue, due at ``available_at_ms``; False
    (nothing changed) if the claim is no longer its own."""
    changed = await tx.execute(
        "UPDATE outbox SET state = 'retry', available_at = :at, lease_until = NULL, last_error = :error"
        f" WHERE id = :id AND {_HELD}",
        {"id": message_id, "at": available_at_ms, "error": error, "worker": worker},
    )
    return changed == 1


async def count_by_state(tx: Transaction) -> dict[str, int]:
    rows = await tx.fetch_all("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
    return {row["state"]: int(row["n"]) for row in rows}


async def list_messages(tx: Transaction, *, state: str | None, limit: int) -> list[OutboxMessage]:
    """Newest first, optionally only those in ``state`` (payloads are not decrypted)."""
    where = "WHERE state = :state " if state else ""
    rows = await tx.fetch_all(
        f"SELECT * FROM outbox {where}ORDER BY created_at DESC, id LIMIT :n", {"state": state, "n": limit}
    )
    return [OUTBOX.from_row(row) for row in rows]


async def requeue_failed(tx: Transaction, message_ids: list[str] | None, now_ms: int) -> int:
    """Put failed messages (all, or the given IDs) back in the queue with fresh attempts.

    Only messages whose payload is still there (not yet erased) can be re-driven.
    """
    sql = (
        "UPDATE outbox SET state = 'queued', attempts = 0, available_at = :now, finished_at = NULL"
        " WHERE state = 'failed' AND payload_sealed IS NOT NULL"
    )
    if message_ids is None:
        return await tx.execute(sql, {"now": now_ms})
    changed = 0
    for message_id in message_ids:
        changed += await tx.execute(sql + " AND id = :id", {"now": now_ms, "id": message_id})
    return changed
