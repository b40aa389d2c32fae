"""The outbox (``outbox_store``): leased claims renewed by their worker, back-off, payloads
erased once sent.

The outbox is one queue for every project, so each test starts from an empty one.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from passgate.identifiers import new_opaque_id
from passgate.models.projects import Project
from passgate.storage import outbox_store
from passgate.storage.database import Database, IntegrityViolation, Transaction
from passgate.storage.outbox_store import OutboxMessage
from tests.storage.build import NOW_MS

pytestmark = pytest.mark.anyio
LEASE_MS = 30_000
WORKER, OTHER = "worker-a", "worker-b"


@pytest.fixture
async def outbox(db: Database) -> Database:
    async with db.transaction() as tx:
        await tx.execute("DELETE FROM outbox")
    return db


async def enqueued(tx: Transaction, project_id: str, now_ms: int = NOW_MS) -> OutboxMessage:
    message = OutboxMessage(new_opaque_id(), project_id, "email", new_opaque_id(), "sealed-payload", attempts=0)
    await outbox_store.enqueue(tx, message, now_ms)
    return replace(message, created_at_ms=now_ms)


async def claim(
    tx: Transaction, db: Database, now_ms: int, limit: int = 10, worker: str = WORKER
) -> list[OutboxMessage]:
    return await outbox_store.claim_due(
        tx, worker=worker, now_ms=now_ms, lease_ms=LEASE_MS, limit=limit, skip_locked=db.dialect == "postgresql"
    )


async def renew(tx: Transaction, db: Database, now_ms: int, worker: str = WORKER) -> int:
    return await outbox_store.renew_leases(
        tx, worker=worker, now_ms=now_ms, lease_ms=LEASE_MS, skip_locked=db.dialect == "postgresql"
    )


async def test_a_message_reads_back_as_it_was_queued(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        message = await enqueued(tx, project.id)
        assert await outbox_store.list_messages(tx, state=None, limit=10) == [message]
        assert await outbox_store.list_messages(tx, state="sent", limit=10) == []
        assert await outbox_store.count_by_state(tx) == {"queued": 1}


async def test_a_message_id_is_used_once(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        message = await enqueued(tx, project.id)
    with pytest.raises(IntegrityViolation):
        async with outbox.transaction() as tx:
            await outbox_store.enqueue(tx, message, NOW_MS)


async def test_a_claim_leases_the_oldest_due_messages(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        first = await enqueued(tx, project.id, NOW_MS)
        second = await enqueued(tx, project.id, NOW_MS + 1)
        await enqueued(tx, project.id, NOW_MS + 2)  # due, but beyond the limit
        await enqueued(tx, project.id, NOW_MS + 10_000)  # not due yet
        claimed = await claim(tx, outbox, NOW_MS + 5, limit=2)  # (returned in no particular order)
        assert {(m.id, m.state, m.attempts) for m in claimed} == {(first.id, "sending", 1), (second.id, "sending", 1)}
        assert len(await claim(tx, outbox, NOW_MS + 6)) == 1  # the two leased are not claimed again
        reclaimed = await claim(tx, outbox, NOW_MS + 5 + LEASE_MS + 1, limit=1)  # their lease ran out
        assert [(m.id, m.attempts) for m in reclaimed] == [(first.id, 2)]


async def test_finishing_erases_the_payload_unless_the_message_failed(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        sent, failed = await enqueued(tx, project.id), await enqueued(tx, project.id)
        await claim(tx, outbox, NOW_MS)
        assert await outbox_store.finish(tx, sent.id, "sent", NOW_MS + 1, worker=WORKER)
        assert await outbox_store.finish(tx, failed.id, "failed", NOW_MS + 1, error="smtp 550", worker=WORKER)
        listed = {m.id: m for m in await outbox_store.list_messages(tx, state=None, limit=10)}
        assert (listed[sent.id].state, listed[sent.id].payload_sealed) == ("sent", None)
        assert (listed[failed.id].state, listed[failed.id].payload_sealed) == ("failed", "sealed-payload")
        assert listed[failed.id].last_error == "smtp 550"
        assert await claim(tx, outbox, NOW_MS + LEASE_MS * 2) == []
        assert await outbox_store.requeue_failed(tx, None, NOW_MS + 2) == 1
        requeued = await claim(tx, outbox, NOW_MS + 2)
    assert [(m.id, m.attempts) for m in requeued] == [(failed.id, 1)]


async def test_a_retry_is_due_again_at_its_time(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        message = await enqueued(tx, project.id)
        await claim(tx, outbox, NOW_MS)
        assert await outbox_store.schedule_retry(tx, message.id, NOW_MS + 1_000, "timeout", worker=WORKER)
        assert await outbox_store.count_by_state(tx) == {"retry": 1}
        assert await claim(tx, outbox, NOW_MS + 999) == []
        again = await claim(tx, outbox, NOW_MS + 1_000)
    assert [(m.id, m.attempts, m.last_error) for m in again] == [(message.id, 2, "timeout")]


async def test_a_worker_renews_only_its_own_claims(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        mine, theirs = await enqueued(tx, project.id), await enqueued(tx, project.id, NOW_MS + 1)
        await claim(tx, outbox, NOW_MS, limit=1)
        assert [m.id for m in await claim(tx, outbox, NOW_MS + 1, worker=OTHER)] == [theirs.id]
        assert await renew(tx, outbox, NOW_MS + LEASE_MS - 1) == 1
        taken_over = await claim(tx, outbox, NOW_MS + LEASE_MS + 2, worker="worker-c")  # only the unrenewed one
        assert [m.id for m in taken_over] == [theirs.id]
        assert await claim(tx, outbox, NOW_MS + 2 * LEASE_MS, worker="worker-c") == [
            replace(mine, state="sending", attempts=2)
        ]


async def test_a_finished_message_is_no_longer_renewed(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        message = await enqueued(tx, project.id)
        await claim(tx, outbox, NOW_MS)
        assert await outbox_store.finish(tx, message.id, "sent", NOW_MS + 1, worker=WORKER)
        assert await renew(tx, outbox, NOW_MS + 2) == 0
        assert await outbox_store.count_by_state(tx) == {"sent": 1}


async def test_a_worker_that_lost_its_claim_records_nothing(outbox: Database, project: Project) -> None:
    async with outbox.transaction() as tx:
        message = await enqueued(tx, project.id)
        await claim(tx, outbox, NOW_MS)
        await claim(tx, outbox, NOW_MS + LEASE_MS + 1, worker=OTHER)  # the lease ran out unrenewed
        assert not await outbox_store.schedule_retry(tx, message.id, NOW_MS + LEASE_MS + 2, "timeout", worker=WORKER)
        assert not await outbox_store.finish(tx, message.id, "failed", NOW_MS + LEASE_MS + 2, "550", worker=WORKER)
        assert await outbox_store.count_by_state(tx) == {"sending": 1}
        assert await outbox_store.finish(tx, message.id, "sent", NOW_MS + LEASE_MS + 3, worker=OTHER)
        assert not await outbox_store.finish(tx, message.id, "sent", NOW_MS + LEASE_MS + 4, worker=OTHER)  # once


# PostgreSQL only: SQLite has one writer, so there are no row locks to wait for.
@pytest.mark.parametrize("storage_url", ["postgres"], indirect=True)
async def test_renewal_skips_claims_being_finished_rather_than_wait(outbox: Database, project: Project) -> None:
    """On PostgreSQL the outcomes' transaction locks rows the renewal would update: waiting
    for them could deadlock (both update several rows, in different orders)."""
    async with outbox.transaction() as tx:
        finishing, working = await enqueued(tx, project.id), await enqueued(tx, project.id, NOW_MS + 1)
        await claim(tx, outbox, NOW_MS + 1)
    async with outbox.transaction() as outcomes:
        assert await outbox_store.finish(outcomes, finishing.id, "sent", NOW_MS + 2, worker=WORKER)
        async with outbox.transaction() as renewal:
            assert await asyncio.wait_for(renew(renewal, outbox, NOW_MS + 3), timeout=5) == 1  # only `working`
    async with outbox.transaction() as tx:
        assert await claim(tx, outbox, NOW_MS + LEASE_MS + 2, worker=OTHER) == []  # renewed past this
        assert [m.id for m in await claim(tx, outbox, NOW_MS + LEASE_MS + 4, worker=OTHER)] == [working.id]
