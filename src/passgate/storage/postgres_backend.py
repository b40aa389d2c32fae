"""PostgreSQL backend: a psycopg 3 async pool (native asyncio, no thread hops)."""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from passgate.errors import DataRejected
from passgate.storage.database import IntegrityViolation, Params, Row, Transaction
from passgate.storage.urls import libpq_url

PING_TIMEOUT_SECONDS = 3.0  # waiting for a pooled connection included

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


@functools.lru_cache(maxsize=2048)
def _pyformat_cached(sql: str) -> str:
    """``to_pyformat``, remembered: hot statements repeat; bounded because search SQL varies
    with the filters a caller sends."""
    return to_pyformat(sql)


class PostgresDatabase:
    """A psycopg 3 async connection pool (native asyncio, no thread hops)."""

    dialect = "postgresql"

    def __init__(self, url: str, pool_size: int) -> None:
        from psycopg.rows import dict_row
        from psycopg_pool import AsyncConnectionPool

        self._pool = AsyncConnectionPool(
            libpq_url(url),
            min_size=1,
            max_size=pool_size,
            kwargs={"row_factory": dict_row, "autocommit": True},
            open=False,
        )

    async def open(self) -> None:
        await self._pool.open(wait=True, timeout=10)

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        async with self._pool.connection() as conn, conn.transaction():
            yield _PostgresTransaction(conn)

    async def ping(self) -> None:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS), self._pool.connection() as conn:
            await conn.execute("SELECT 1")

    async def close(self) -> None:
        await self._pool.close()
