"""SQLite backend: stdlib ``sqlite3`` in WAL mode, on the event-loop thread.

A write transaction waits for SQLite's write lock (held by another connection: another
worker, the CLI, a stuck process) between awaits rather than in SQLite's busy handler,
which would block the event loop; after ``LOCK_TIMEOUT_SECONDS`` it raises
``DatabaseUnavailable`` (503, which the SDKs retry). Readers are never held up by such a
wait: WAL lets them read past a writer, and the waiting writer gives the process lock back
between its tries. Why these figures: ``docs/decisions.md`` ("Outages").
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from passgate.errors import DatabaseUnavailable
from passgate.storage.database import IntegrityViolation, Params, Row, Transaction

# How long a transaction waits for the write lock (and this process's own lock) before
# answering 503: under the 2 s a client is promised; the lock is normally held for
# milliseconds, so only a stuck or runaway writer is refused.
LOCK_TIMEOUT_SECONDS = 1.5
# Pauses between tries for the write lock: they start short, so a lock held for a
# millisecond costs about that, and stop growing at 25 ms, so a released lock is taken
# within 25 ms (SQLite's own busy handler polls at 1-100 ms).
_FIRST_PAUSE_SECONDS = 0.001
_LONGEST_PAUSE_SECONDS = 0.025


def is_busy(exc: sqlite3.Error) -> bool:
    """Whether ``exc`` is SQLite's "database is locked" (another connection holds a lock
    this statement needs), as opposed to a fault of the statement itself."""
    return exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _execute(conn: sqlite3.Connection, sql: str, params: Params | None = None) -> sqlite3.Cursor:
    """``conn.execute``, with a lock held elsewhere as ``DatabaseUnavailable``."""
    try:
        return conn.execute(sql, params or {})
    except sqlite3.IntegrityError as exc:
        raise IntegrityViolation(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        if is_busy(exc):
            raise DatabaseUnavailable() from exc
        raise


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        row = _execute(self._conn, sql, params).fetchone()
        return dict(row) if row is not None else None

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return [dict(row) for row in _execute(self._conn, sql, params).fetchall()]

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return _execute(self._conn, sql, params).rowcount

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        try:
            self._conn.executemany(sql, rows)
        except sqlite3.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc
        except sqlite3.OperationalError as exc:
            if is_busy(exc):
                raise DatabaseUnavailable() from exc
            raise


class SqliteDatabase:
    """SQLite file in WAL mode; one connection per process, used on the event-loop thread."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",  # under connect's 5 s busy timeout: startup may wait
            "synchronous=NORMAL",  # durable at checkpoint; WAL keeps commits atomic
            # Never wait inside SQLite (that would block the event loop): the write lock
            # is waited for in ``_begin``; in WAL mode no other statement waits for one.
            "busy_timeout=0",
            "foreign_keys=ON",
            # SQLite's default page cache is 2 MB: with 10^5 users a verify's pages no longer
            # fit and statements read pages through system calls (verify -33 % at 10^5 users
            # in the 2026-12-01 bench). 64 MB keeps the hot pages in the process.
            "cache_size=-65536",
        ):
            self._conn.execute(f"PRAGMA {pragma}")
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        """One transaction, committed on exit and rolled back on error; ``DatabaseUnavailable``
        if it cannot begin within ``LOCK_TIMEOUT_SECONDS`` or meets a lock on the way."""
        await self._begin(write, time.monotonic() + LOCK_TIMEOUT_SECONDS)
        try:
            yield _SqliteTransaction(self._conn)
            _execute(self._conn, "COMMIT")
        except BaseException:
            if self._conn.in_transaction:  # a failed COMMIT leaves it open
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._lock.release()

    async def _begin(self, write: bool, deadline: float) -> None:
        """Take the process lock and begin (``BEGIN IMMEDIATE`` for a write, so the write
        lock is taken now rather than failing on upgrade), or raise ``DatabaseUnavailable``
        at ``deadline``. While another connection holds the write lock, the process lock is
        given back between tries so this process's readers go on."""
        pause = _FIRST_PAUSE_SECONDS
        while True:
            await self._take_lock(deadline)
            try:
                self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                return
            except sqlite3.OperationalError as exc:
                self._lock.release()
                if not is_busy(exc):
                    raise
                if time.monotonic() + pause >= deadline:
                    raise DatabaseUnavailable() from exc
            except BaseException:
                self._lock.release()
                raise
            await asyncio.sleep(pause)
            pause = min(pause * 2, _LONGEST_PAUSE_SECONDS)

    async def _take_lock(self, deadline: float) -> None:
        """The process lock, waited for until ``deadline`` at most (a free lock is taken at
        once, without the cost of a timer)."""
        if not self._lock.locked():
            await self._lock.acquire()
            return
        try:
            async with asyncio.timeout(deadline - time.monotonic()):
                await self._lock.acquire()
        except TimeoutError as exc:
            raise DatabaseUnavailable() from exc

    async def ping(self) -> None:
        """Take the write lock and give it back (an empty transaction writes nothing):
        ready means a sign-in could write now. ``DatabaseUnavailable`` while another
        connection holds it past ``LOCK_TIMEOUT_SECONDS``."""
        async with self.transaction(write=True):
            pass

    async def close(self) -> None:
        self._conn.close()
