"""The port under an unavailable database: ``DatabaseUnavailable`` in bounded time, never a
hang or a driver error; stale pooled connections skipped; the lock taken once it is free.

The whole-server outage (PostgreSQL stopped and started) is ``tests/web/test_outage.py``;
here PostgreSQL connections are killed one by one with ``pg_terminate_backend``, which
touches only this test's own connections on the shared server.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from passgate.errors import DatabaseUnavailable
from passgate.storage.connect import open_database
from passgate.storage.database import Database, Transaction
from passgate.storage.group_commit import GroupCommit
from passgate.storage.urls import libpq_url, sqlite_path

pytestmark = pytest.mark.anyio

BOUND_SECONDS = 2.0  # what a caller may wait during an outage
postgres_only = pytest.mark.parametrize("storage_url", ["postgres"], indirect=True)
sqlite_only = pytest.mark.parametrize("storage_url", ["sqlite"], indirect=True)


# --- PostgreSQL: connections that died -----------------------------------------------------


async def backend_pid(tx: Transaction) -> int:
    row = await tx.fetch_one("SELECT pg_backend_pid() AS pid")
    assert row is not None
    return int(row["pid"])


def terminate(storage_url: str, pids: set[int]) -> None:
    """Kill these backends, as a server restart or a failover would (FATAL 57P01)."""
    with psycopg.connect(libpq_url(storage_url), autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


@postgres_only
async def test_pooled_connections_that_died_are_skipped_not_served(storage_url: str) -> None:
    database = await open_database(storage_url, pool_size=3)
    try:
        pids: set[int] = set()
        all_open = asyncio.Barrier(4)  # three transactions at once: three pooled connections

        async def hold() -> None:
            async with database.transaction(write=False) as tx:
                pids.add(await backend_pid(tx))
                await all_open.wait()

        holders = [asyncio.create_task(hold()) for _ in range(3)]
        await all_open.wait()
        await asyncio.gather(*holders)
        terminate(storage_url, pids)

        began = time.monotonic()
        async with database.transaction(write=False) as tx:  # all three pooled ones are dead
            served_by = await backend_pid(tx)
        assert served_by not in pids
        assert time.monotonic() - began < 1
    finally:
        await database.close()


@postgres_only
async def test_a_connection_lost_mid_transaction_is_unavailable_not_retried(storage_url: str) -> None:
    """Once a statement ran, the transaction cannot be replayed safely: 503, the caller retries."""
    database = await open_database(storage_url, pool_size=1)

    async def lose_the_connection_midway() -> None:
        async with database.transaction() as tx:
            terminate(storage_url, {await backend_pid(tx)})
            await tx.fetch_one("SELECT 1")

    try:
        with pytest.raises(DatabaseUnavailable):
            await lose_the_connection_midway()
        await database.ping()  # the pool replaced the connection
    finally:
        await database.close()


# --- SQLite: another connection holds the write lock ---------------------------------------


@contextmanager
def stuck_writer(storage_url: str) -> Iterator[sqlite3.Connection]:
    """Another connection holding SQLite's write lock, as a hung process would."""
    conn = sqlite3.connect(sqlite_path(storage_url), isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    finally:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        conn.close()


@sqlite_only
async def test_a_write_under_a_stuck_writer_is_unavailable_within_the_bound(db: Database, storage_url: str) -> None:
    with stuck_writer(storage_url):
        began = time.monotonic()
        with pytest.raises(DatabaseUnavailable):
            async with db.transaction():
                pass
        waited = time.monotonic() - began
        with pytest.raises(DatabaseUnavailable):
            await db.ping()  # not ready: a sign-in could not write
    assert 1.0 < waited < BOUND_SECONDS
    await db.ping()


@sqlite_only
async def test_reads_go_on_while_a_write_waits_for_the_lock(db: Database, storage_url: str) -> None:
    """The waiting writer gives the process lock back between tries; WAL lets reads past."""
    with stuck_writer(storage_url):

        async def write() -> None:
            async with db.transaction():
                pass

        waiting = asyncio.create_task(write())
        await asyncio.sleep(0.05)
        began = time.monotonic()
        async with db.transaction(write=False) as tx:
            assert await tx.fetch_one("SELECT 1 AS one") == {"one": 1}
        assert time.monotonic() - began < 0.1
        with pytest.raises(DatabaseUnavailable):
            await waiting


@sqlite_only
async def test_a_waiting_write_takes_the_lock_as_soon_as_it_is_released(db: Database, storage_url: str) -> None:
    with stuck_writer(storage_url) as stuck:
        asyncio.get_running_loop().call_later(0.3, stuck.execute, "ROLLBACK")
        began = time.monotonic()
        async with db.transaction() as tx:
            await tx.execute("CREATE TEMP TABLE written (x INTEGER)")
        waited = time.monotonic() - began
    assert 0.3 <= waited < 0.4


# --- group commit ----------------------------------------------------------------------------


async def select_one(tx: Transaction, _: int) -> None:
    await tx.fetch_one("SELECT 1")


@sqlite_only
async def test_group_commit_fails_what_queued_behind_an_unavailable_batch_at_once(
    db: Database, storage_url: str
) -> None:
    """Writers queued while a batch waited for the database do not wait a second timeout."""
    writes = GroupCommit(db, select_one, "test write")
    with stuck_writer(storage_url):
        began = time.monotonic()
        first = asyncio.create_task(writes.write(1))
        await asyncio.sleep(0.5)
        later = [asyncio.create_task(writes.write(n)) for n in (2, 3)]
        outcomes = await asyncio.gather(first, *later)
        waited = time.monotonic() - began
    assert outcomes == [False, False, False]
    assert waited < BOUND_SECONDS
    assert await writes.write(4)  # the lock is free again
