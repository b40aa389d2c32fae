"""The durable outbox: enqueue inside the caller's transaction; a dispatcher drains it.

A message is a row before anyone is told the code was sent, so a crash after commit loses
nothing: the dispatcher (``delivery.dispatcher``) finds it on its next pass. Payloads are
sealed (AES-GCM) because they carry the code, and erased once the message is finished.
"""

from __future__ import annotations

from passgate.crypto.sealing import Secrets
from passgate.delivery.messages import OutgoingMessage
from passgate.identifiers import new_opaque_id
from passgate.storage import outbox_store
from passgate.storage.database import Database, Transaction
from passgate.storage.outbox_store import OutboxMessage

SEAL_CONTEXT = "outbox-payload"


async def enqueue(
    tx: Transaction,
    secrets: Secrets,
    *,
    project_id: str,
    secret_id: str | None,
    message: OutgoingMessage,
    now_ms: int,
) -> str:
    """Queue ``message`` in the caller's transaction; returns the outbox ID.

    ``secret_id`` names the code or link the message carries, so a stale message is dropped.
    """
    payload = message.to_payload()
    row = OutboxMessage(
        id=new_opaque_id(),
        project_id=project_id,
        channel=message.channel,
        challenge_id=secret_id,
        payload_sealed=secrets.seal(payload, SEAL_CONTEXT),
        attempts=0,
    )
    await outbox_store.enqueue(tx, row, now_ms)
    return row.id


async def queue_counts(db: Database) -> dict[str, int]:
    """How many messages are in each state."""
    async with db.transaction(write=False) as tx:
        return await outbox_store.count_by_state(tx)
