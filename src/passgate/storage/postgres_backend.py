"""PostgreSQL backend: a psycopg 3 async pool (native asyncio, no thread hops).

An outage is answered, not waited out: a transaction that cannot get a working connection
within ``CHECKOUT_TIMEOUT_SECONDS``, or whose connection is lost under it, raises
``DatabaseUnavailable`` (503, which the SDKs retry). The timeouts and why are in
``docs/decisions.md`` ("Outages").
"""

from __future__ import annotations

import asyncio
import functools
import re
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from passgate.errors import DatabaseUnavailable, DataRejected
from passgate.storage.database import IntegrityViolation, Params, Row, Transaction
from passgate.storage.urls import libpq_url

# How long a transaction waits for a working connection (stale ones discarded on the way)
# before answering 503: under the 2 s a client is promised, above any wait seen under load.
CHECKOUT_TIMEOUT_SECONDS = 1.5
# The readiness probe's whole bound (checkout and ``SELECT 1``): a frozen server that
# accepts connections but never answers must not hold ``/readyz`` past 2 s either.
PING_TIMEOUT_SECONDS = 1.8
# libpq's connect timeout, whole seconds; 2 is its minimum (psycopg raises 1 to 2). It
# bounds a pool worker's attempt against an unreachable host, not a client's wait.
CONNECT_TIMEOUT_SECONDS = 2
# How long the pool keeps retrying a lost connection (after 0, 1 and 2 s) before leaving
# the next request to start a new attempt. With psycopg's default (5 min) the delay between
# attempts doubles (1, 2, 4, 8, 16 s...), which is what kept /readyz failing for up to
# 26 s after a restart.
RECONNECT_TIMEOUT_SECONDS = 2.0
# How long ``open`` waits for a first connection (a server that is itself starting).
OPEN_TIMEOUT_SECONDS = 10.0
# A SQLSTATE of these classes means the server went away, whatever the connection says:
# 08 connection exception, 57P01-57P03 admin/crash shutdown and "cannot connect now".
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03")

_NAMED_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def to_pyformat(sql: str) -> str:
    """Rewrite ``:name`` parameters as psycopg's ``%(name)s`` (escaping literal ``%``)."""
    return _NAMED_PARAM.sub(r"%(\1)s", sql.replace("%", "%%"))


class _PostgresTransaction:
    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def _run(self, sql: str, params: Params | None) -> Any:
        import psycopg

        try:
            return await self._conn.execute(_pyformat_cached(sql), params or {})
        except psycopg.errors.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc
        except psycopg.errors.DataError as exc:
            raise DataRejected from exc

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        cursor = await self._run(sql, params)
        row: Row | None = await cursor.fetchone()
        return row

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        cursor = await self._run(sql, params)
        rows: list[Row] = await cursor.fetchall()
        return rows

    async def execute(self, sql: str, params: Params | None = None) -> int:
        cursor = await self._run(sql, params)
        count: int = cursor.rowcount
        return count

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        import psycopg

        if not rows:
            return
        try:
            async with self._conn.cursor() as cursor:
                await cursor.executemany(_pyformat_cached(sql), rows)  # pipelined: one round trip
        except psycopg.errors.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc
        except psycopg.errors.DataError as exc:
            raise DataRejected from exc


@functools.lru_cache(maxsize=2048)
def _pyformat_cached(sql: str) -> str:
    """``to_pyformat``, remembered: hot statements repeat; bounded because search SQL varies
    with the filters a caller sends."""
    return to_pyformat(sql)


def is_outage(exc: Exception, conn: Any | None) -> bool:
    """Whether ``exc`` (a psycopg error) means the database cannot be reached, rather than
    that it refused a statement: no connection in time, a connection now closed, or a
    shutdown SQLSTATE. Deadlocks and serialisation failures are not outages."""
    from psycopg_pool import PoolTimeout, TooManyRequests

    if isinstance(exc, (PoolTimeout, TooManyRequests)):
        return True
    if conn is not None and conn.closed:
        return True
    sqlstate = getattr(exc, "sqlstate", None) or ""
    return sqlstate.startswith(_OUTAGE_SQLSTATES)


def _connection_kwargs(url: str) -> dict[str, Any]:
    """What every pooled connection is opened with; a ``connect_timeout`` in the URL wins."""
    from psycopg.conninfo import conninfo_to_dict
    from psycopg.rows import dict_row

    kwargs: dict[str, Any] = {"row_factory": dict_row, "autocommit": True}
    if "connect_timeout" not in conninfo_to_dict(libpq_url(url)):
        kwargs["connect_timeout"] = CONNECT_TIMEOUT_SECONDS
    return kwargs


class PostgresDatabase:
    """A psycopg 3 async connection pool (native asyncio, no thread hops)."""

    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int) -> None:
        from psycopg_pool import AsyncConnectionPool

        self._pool = AsyncConnectionPool(
            libpq_url(url),
            min_size=1,
            max_size=pool_size,
            kwargs=_connection_kwargs(url),
            timeout=CHECKOUT_TIMEOUT_SECONDS,
            reconnect_timeout=RECONNECT_TIMEOUT_SECONDS,
            open=False,
        )

    async def open(self) -> None:
        """Open the pool and wait up to ``OPEN_TIMEOUT_SECONDS`` for a working connection;
        ``DatabaseUnavailable`` if none came. Each probe asks for a connection, which makes
        the pool try again after its own attempts gave up."""
        await self._pool.open(wait=False)
        deadline = time.monotonic() + OPEN_TIMEOUT_SECONDS
        while True:
            try:
                await self.ping()
                return
            except DatabaseUnavailable:
                if time.monotonic() >= deadline:
                    await self._pool.close()
                    raise

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        """One transaction on a pooled connection; ``DatabaseUnavailable`` if no working
        connection comes within ``CHECKOUT_TIMEOUT_SECONDS`` or the connection is lost.

        A connection that died while pooled (the server restarted) fails at ``BEGIN``,
        before any of the caller's statements ran, so it is safe to go on to the next: the
        pool discards a returned connection that is closed, and the loop asks again with
        what is left of the deadline. This costs nothing while connections are healthy,
        unlike the pool's ``check`` (a round trip per checkout, docs/decisions.md).
        """
        import psycopg

        deadline = time.monotonic() + CHECKOUT_TIMEOUT_SECONDS
        while True:
            conn: Any = None
            began = False
            try:
                async with self._pool.connection(timeout=deadline - time.monotonic()) as conn, conn.transaction():
                    began = True
                    yield _PostgresTransaction(conn)
                return
            except psycopg.OperationalError as exc:
                if not is_outage(exc, conn):
                    raise
                if not began and conn is not None and time.monotonic() < deadline:
                    continue  # a stale connection, discarded: try the next one
                raise DatabaseUnavailable() from exc

    async def ping(self) -> None:
        """``SELECT 1`` within ``PING_TIMEOUT_SECONDS``, or ``DatabaseUnavailable``."""
        try:
            async with asyncio.timeout(PING_TIMEOUT_SECONDS), self.transaction(write=False) as tx:
                await tx.fetch_one("SELECT 1")
        except TimeoutError as exc:
            raise DatabaseUnavailable() from exc

    async def close(self) -> None:
        await self._pool.close()
