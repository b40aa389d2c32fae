"""Group commit: many small writes from concurrent requests share one transaction.

Each caller still waits until its own row is committed, so nothing is acknowledged before
it is durable; but under load one COMMIT serves every row queued while the previous one
ran (a verify's audit event cost a transaction of its own: ~13 % of server CPU on OTP
verify, docs/performance.md).

When the database is unavailable, a batch fails as a whole and so does everything queued
while it waited: those writers would otherwise wait as long again, one batch after
another, and a request's answer waits for its write (each waits at most one timeout).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import structlog

from passgate.errors import DatabaseUnavailable
from passgate.storage.database import Database, Transaction

log = structlog.get_logger("passgate.group_commit")

T = TypeVar("T")
_MAX_BATCH = 256


class GroupCommit(Generic[T]):
    def __init__(self, db: Database, write_one: Callable[[Transaction, T], Awaitable[None]], what: str) -> None:
        self._db = db
        self._write_one = write_one
        self._what = what
        self._queue: list[tuple[T, asyncio.Future[bool]]] = []
        self._flusher: asyncio.Task[None] | None = None

    async def write(self, item: T) -> bool:
        """Store ``item``; True once committed, False if the batch failed (logged, never raised)."""
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await asyncio.shield(done)

    async def _flush(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[:_MAX_BATCH], self._queue[_MAX_BATCH:]
            try:
                ok = await self._commit([item for item, _ in batch])
            except DatabaseUnavailable:
                batch, self._queue = batch + self._queue, []
                log.error("writes failed: database unavailable", what=self._what, count=len(batch))
                ok = False
            for _, done in batch:
                if not done.done():
                    done.set_result(ok)

    async def _commit(self, items: list[T]) -> bool:
        """Write ``items`` in one transaction (each alone if that fails); False if any is
        lost. ``DatabaseUnavailable`` is raised, not retried item by item."""
        try:
            async with self._db.transaction() as tx:
                for item in items:
                    await self._write_one(tx, item)
        except DatabaseUnavailable:
            raise
        except Exception:
            if len(items) == 1:
                log.exception("write failed", what=self._what)
                return False
            # One bad row must not lose the others: retry each on its own.
            return all([await self._commit([item]) for item in items])
        return True

    async def drain(self) -> None:
        """Wait until everything queued so far is committed (at shutdown)."""
        if self._flusher is not None:
            await self._flusher
