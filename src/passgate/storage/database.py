"""The storage port: portable SQL over SQLite (stdlib ``sqlite3``) or PostgreSQL (psycopg 3).

The backends live in ``sqlite_backend`` and ``postgres_backend``; ``connect`` picks one.

SQL is written once with ``:name`` parameters and runs on both backends. Hot paths go
straight to the driver (no ORM, no thread hop): on these machines SQLAlchemy's async
adapters cost 10-20x a plain ``sqlite3`` transaction (see ``docs/performance.md``).

SQLite runs on the event-loop thread. A transaction never awaits anything but its own
statements, which complete without yielding, so one connection per process is enough;
an ``asyncio.Lock`` still guards it in case a caller awaits something else mid-transaction.
Write transactions start with ``BEGIN IMMEDIATE`` so concurrent writers in other processes
queue for SQLite's write lock (waited for between awaits) instead of failing on upgrade.

Either backend raises ``passgate.errors.DatabaseUnavailable`` (503) when the database cannot
serve a transaction within about 1.5 s: PostgreSQL down or unreachable, a connection lost
mid-transaction, SQLite's write lock held elsewhere. A caller never waits longer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

Row = dict[str, Any]
Params = Mapping[str, Any]


class Transaction(Protocol):
    """One open transaction. Statements use ``:name`` parameters."""

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None: ...

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]: ...

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run a statement; return the number of rows it changed."""
        ...

    async def execute_many(self, sql: str, rows: Sequence[Params]) -> None:
        """Run one statement for each of ``rows`` (PostgreSQL pipelines them: a bulk write
        costs a round trip, not one per row)."""
        ...


class Database(Protocol):
    """A connection source. ``transaction()`` commits on exit, rolls back on error."""

    dialect: str

    def transaction(self, *, write: bool = True) -> AbstractAsyncContextManager[Transaction]: ...

    async def ping(self) -> None:
        """The readiness probe: return if the database could serve a transaction now, else
        raise ``DatabaseUnavailable`` within 2 s (PostgreSQL: ``SELECT 1``; SQLite: take
        and give back the write lock)."""
        ...

    async def close(self) -> None: ...


class IntegrityViolation(Exception):
    """A uniqueness or foreign-key constraint refused the change."""


def in_list(prefix: str, values: list[str]) -> tuple[str, dict[str, str]]:
    """``IN`` over ``values`` as portable SQL: ``("(:p0, :p1)", {"p0": ..., "p1": ...})``.

    An empty list gives ``(NULL)``, which matches nothing (``x IN (NULL)`` is never true).
    """
    if not values:
        return "(NULL)", {}
    params = {f"{prefix}{i}": value for i, value in enumerate(values)}
    return "(" + ", ".join(f":{name}" for name in params) + ")", params
