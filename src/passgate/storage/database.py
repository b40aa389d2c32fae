"""The storage port: portable SQL over SQLite (stdlib ``sqlite3``) or PostgreSQL (psycopg 3).

SQL is written once with ``:name`` parameters and runs on both backends. Hot paths go
straight to the driver (no ORM, no thread hop): on these machines SQLAlchemy's async
adapters cost 10-20x a plain ``sqlite3`` transaction (see ``docs/performance.md``).

SQLite runs on the event-loop thread. A transaction never awaits anything but its own
statements, which complete without yielding, so one connection per process is enough;
an ``asyncio.Lock`` still guards it in case a caller awaits something else mid-transaction.
Write transactions start with ``BEGIN IMMEDIATE`` so concurrent writers in other processes
queue on SQLite's lock (``busy_timeout``) instead of failing on upgrade.
"""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

Row = dict[str, Any]
Params = Mapping[str, Any]

_NAMED_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


class Transaction(Protocol):
    """One open transaction. Statements use ``:name`` parameters."""

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]: ...

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run a statement; return the number of rows it changed."""
        ...


class Database(Protocol):
    """A connection source. ``transaction()`` commits on exit, rolls back on error."""

    dialect: str

    def transaction(self, *, write: bool = True) -> AbstractAsyncContextManager[Transaction]: ...

    async def close(self) -> None: ...


class IntegrityViolation(Exception):
    """A uniqueness or foreign-key constraint refused the change."""


# --- SQLite ---------------------------------------------------------------------------------
class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def _run(self, sql: str, params: Params | None) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params or {})
        except sqlite3.IntegrityError as exc:
            raise IntegrityViolation(str(exc)) from exc

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        row = self._run(sql, params).fetchone()
        return dict(row) if row is not None else None

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return [dict(row) for row in self._run(sql, params).fetchall()]

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return self._run(sql, params).rowcount


class SqliteDatabase:
    """SQLite file in WAL mode; one connection per process, used on the event-loop thread."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._conn.row_factory = sqlite3.Row
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",  # durable at checkpoint; WAL keeps commits atomic
            "busy_timeout=5000",
            "foreign_keys=ON",
        ):
            self._conn.execute(f"PRAGMA {pragma}")
        self._lock = asyncio.Lock()

    @asynccontextmanager
    async def transaction(self, *, write: bool = True) -> AsyncIterator[Transaction]:
        async with self._lock:
            self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                yield _SqliteTransaction(self._conn)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    async def close(self) -> None:
        self._conn.close()


# --- PostgreSQL -----------------------------------------------------------------------------
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


_PYFORMAT_CACHE: dict[str, str] = {}


def _pyformat_cached(sql: str) -> str:
    converted = _PYFORMAT_CACHE.get(sql)
    if converted is None:
        converted = _PYFORMAT_CACHE[sql] = to_pyformat(sql)
    return converted


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

    async def close(self) -> None:
        await self._pool.close()


def libpq_url(url: str) -> str:
    """Strip a SQLAlchemy driver suffix (``postgresql+psycopg://``) for libpq."""
    scheme, sep, rest = url.partition("://")
    return f"{scheme.split('+')[0]}{sep}{rest}"


def sqlalchemy_url(url: str) -> str:
    """The same URL with the psycopg 3 driver named, for SQLAlchemy and Alembic."""
    scheme, sep, rest = url.partition("://")
    if scheme in ("postgresql", "postgres"):
        return f"postgresql+psycopg{sep}{rest}"
    return url


def is_postgres(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database."""
    return url.split("://", 1)[0].split("+")[0] in ("postgresql", "postgres")


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///path`` URL."""
    return Path(url.split(":///", 1)[1])


async def open_database(url: str, *, pool_size: int = 10) -> Database:
    """Connect to the database that ``url`` names."""
    if is_postgres(url):
        database = PostgresDatabase(url, pool_size)
        await database.open()
        return database
    return SqliteDatabase(sqlite_path(url))
