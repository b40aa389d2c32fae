"""Many distinct users, fast: written straight into the database before the measured phases.

passgate's users go in through its storage layer (``Database.transaction`` and
``Transaction.execute``), ``TX_ROWS`` per transaction: the management API creates each user
in a transaction of its own, which would take most of an hour for 10^6 users. The rows are
``users_store``'s own: its column list, its mapping of a ``User`` to parameters and its
``INSERT`` (one statement for many rows on SQLite). On PostgreSQL the server generates them
(``generate_series``; psycopg would parse a long multi-row statement anew on every call)
from the same column list, each column either an expression of the user's index or the
parameter of a template user, and the tables are then ``ANALYZE``d, as autovacuum would do
soon after such a load. The peer's users go into its SQLite file with the stdlib
``sqlite3`` module while it runs (WAL), in the shape better-auth writes.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from passgate.models.users import User

# rows per INSERT on SQLite (one parameter per column of ``users``): it looks named
# parameters up by a linear scan, so its statements stay short.
CHUNK = {"sqlite": 50}
TX_ROWS = 10_000  # users per transaction
PROGRESS_EVERY = 100_000


def now() -> float:
    """Unix time in seconds, from passgate's clock."""
    from passgate.clock import SystemClock

    return SystemClock().now()


def login_id(prefix: str, index: int) -> str:
    """The login ID (and e-mail address) of preloaded user ``index``."""
    return f"{prefix}{index}@example.com"


def bench_user(project_id: str, prefix: str, index: int, now_ms: int, user_id: str) -> User:
    """Preloaded user ``index``: enabled, not a test user, its e-mail its only login ID."""
    from passgate.models.users import User, UserStatus

    email = login_id(prefix, index)
    created = (now_ms - index) / 1000
    return User(
        id=user_id,
        project_id=project_id,
        login_ids=(email,),
        status=UserStatus.ENABLED,
        created_at=created,
        modified_at=created,
        name=f"Bench User {index}",
        given_name="Bench",
        family_name=f"User{index}",
        email=email,
    )


def chunk_params(project_id: str, prefix: str, first: int, count: int, now_ms: int) -> tuple[dict[str, Any], ...]:
    """The parameters of one chunk's two multi-row ``INSERT``s: ``users``, then ``login_ids``."""
    from passgate.storage.mapping import numbered
    from passgate.storage.users_store import USERS, login_id_rows

    # 28-character IDs, as passgate's own
    users = [bench_user(project_id, prefix, first + row, now_ms, "U2" + secrets.token_hex(13)) for row in range(count)]
    return numbered([USERS.params_of(user) for user in users]), numbered(
        [row for user in users for row in login_id_rows(user)]
    )


def chunks(count: int, size: int) -> Iterator[tuple[int, int]]:
    """``(first, how many)`` of each chunk of ``range(count)``."""
    for first in range(0, count, size):
        yield first, min(size, count - first)


# PostgreSQL: the rows of users ``:first`` .. ``:last``, made by the server. The user ID is
# derived from the index (``:salt`` makes it unique to this load), so both tables agree.
PG_USER_ID = "'U2' || substr(md5(:salt || CAST(i AS text)), 1, 26)"
PG_EMAIL = ":prefix || CAST(i AS text) || '@example.com'"
PG_SERIES = "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i"
# The columns of ``users`` that differ between preloaded users (as ``bench_user`` makes them);
# every other column is the parameter of the same name, a template user's.
PG_PER_USER = {
    "id": PG_USER_ID,
    "name": "'Bench User ' || CAST(i AS text)",
    "family_name": "'User' || CAST(i AS text)",
    "email": PG_EMAIL,
    "created_at": ":now - i",
    "modified_at": ":now - i",
}
PG_LOGIN_ID = {"project_id": ":project_id", "login_id": PG_EMAIL, "user_id": PG_USER_ID, "position": "0"}


def pg_statements() -> tuple[str, str]:
    """The ``INSERT … SELECT`` of the users and of their login IDs, over ``users_store``'s columns."""
    from passgate.storage.users_store import LOGIN_ID_COLUMNS, USERS

    users = ", ".join(PG_PER_USER.get(column, f":{column}") for column in USERS.columns)
    logins = ", ".join(PG_LOGIN_ID[column] for column in LOGIN_ID_COLUMNS)
    return (
        f"INSERT INTO users ({', '.join(USERS.columns)}) SELECT {users} {PG_SERIES}",
        f"INSERT INTO login_ids ({', '.join(LOGIN_ID_COLUMNS)}) SELECT {logins} {PG_SERIES}",
    )


async def _insert_range(tx: Any, dialect: str, project_id: str, prefix: str, first: int, count: int) -> None:
    """Users ``first`` .. ``first + count - 1`` in the open transaction ``tx``."""
    from passgate.storage.mapping import insert_sql
    from passgate.storage.users_store import LOGIN_ID_COLUMNS, USERS

    now_ms = int(now() * 1000)
    if dialect == "postgresql":
        users_sql, logins_sql = pg_statements()
        template = USERS.params_of(bench_user(project_id, prefix, 0, now_ms, ""))
        params = {"prefix": prefix, "first": first, "last": first + count - 1, "salt": secrets.token_hex(4)}
        await tx.execute(users_sql, {**template, **params, "now": now_ms})
        await tx.execute(logins_sql, {**params, "project_id": project_id})
        return
    for chunk_first, size in chunks(count, CHUNK.get(dialect, 50)):
        users, logins = chunk_params(project_id, prefix, first + chunk_first, size, now_ms)
        await tx.execute(USERS.insert_sql(rows=size), users)
        await tx.execute(insert_sql("login_ids", LOGIN_ID_COLUMNS, size), logins)


async def _preload(database_url: str, project_id: str, count: int, prefix: str) -> None:
    from passgate.storage.connect import open_database

    db = await open_database(database_url, pool_size=1)
    try:
        for tx_first, tx_count in chunks(count, TX_ROWS):
            async with db.transaction() as tx:
                await _insert_range(tx, db.dialect, project_id, prefix, tx_first, tx_count)
            done = tx_first + tx_count
            if done % PROGRESS_EVERY == 0 and done < count:
                print(f"    preloaded {done:,} users", file=sys.stderr, flush=True)
        if db.dialect == "postgresql":
            async with db.transaction() as tx:
                await tx.execute("ANALYZE users")
                await tx.execute("ANALYZE login_ids")
    finally:
        await db.close()


def preload_users(database_url: str, project_id: str, count: int, prefix: str = "user") -> float:
    """Insert ``count`` enabled, non-test users ``<prefix><i>@example.com``; the seconds it took."""
    began = time.monotonic()
    if count > 0:
        asyncio.run(_preload(database_url, project_id, count, prefix))
    return round(time.monotonic() - began, 1)


def preload_peer_users(db_path: Path, prefix: str, count: int, first: int = 0) -> list[str]:
    """Insert users ``<prefix><i>@example.com`` into the peer's SQLite file as better-auth
    stores them (a ``user`` row; an e-mail OTP sign-in needs no ``account`` row); their e-mails."""
    emails = [login_id(prefix, index) for index in range(first, first + count)]
    yesterday = datetime.fromtimestamp(now(), UTC) - timedelta(days=1)
    stamp = yesterday.isoformat(timespec="milliseconds").replace("+00:00", "Z")  # as better-auth writes dates
    rows = [(secrets.token_urlsafe(24), "", email, 0, None, stamp, stamp) for email in emails]
    with sqlite3.connect(db_path, timeout=30) as conn:
        for index in range(0, len(rows), TX_ROWS):
            conn.executemany(
                'INSERT INTO "user" (id, name, email, emailVerified, image, createdAt, updatedAt)'
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows[index : index + TX_ROWS],
            )
            conn.commit()
    conn.close()
    return emails
