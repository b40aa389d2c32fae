"""Many distinct users, fast: written straight into the database before the measured phases.

passgate's users go in through its storage layer (``Database.transaction`` and
``Transaction.execute``), ``TX_ROWS`` per transaction: the management API creates each user
in a transaction of its own, which would take most of an hour for 10^6 users. Rows have the
shape ``users_store.insert_user`` writes. On SQLite they are multi-row ``INSERT``s built
here; on PostgreSQL the server generates them (``generate_series``; psycopg would parse a
long multi-row statement anew on every call), and the tables are then ``ANALYZE``d, as
autovacuum would do soon after such a load. The peer's users go into its SQLite file with the stdlib ``sqlite3`` module
while it runs (WAL), in the shape better-auth writes.
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
from typing import Any

# rows per INSERT on SQLite (16 parameters each): it looks named parameters up by a linear
# scan, so its statements stay short.
CHUNK = {"sqlite": 50}
TX_ROWS = 10_000  # users per transaction
PROGRESS_EVERY = 100_000
USER_COLUMNS = (
    "id",
    "project_id",
    "name",
    "given_name",
    "middle_name",
    "family_name",
    "email",
    "verified_email",
    "phone",
    "verified_phone",
    "status",
    "test",
    "picture",
    "custom_attributes",
    "created_at",
    "modified_at",
)
LOGIN_COLUMNS = ("project_id", "login_id", "user_id", "position")


def now() -> float:
    """Unix time in seconds, from passgate's clock."""
    from passgate.clock import SystemClock

    return SystemClock().now()


def login_id(prefix: str, index: int) -> str:
    """The login ID (and e-mail address) of preloaded user ``index``."""
    return f"{prefix}{index}@example.com"


def multi_insert(table: str, columns: tuple[str, ...], rows: int) -> str:
    """``INSERT INTO table (columns) VALUES (:c_0, ...), ...`` for ``rows`` rows."""
    values = ", ".join("(" + ", ".join(f":{column}_{row}" for column in columns) + ")" for row in range(rows))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {values}"


def chunk_params(project_id: str, prefix: str, first: int, count: int, now_ms: int) -> tuple[dict[str, Any], ...]:
    """The parameters of one chunk: the ``users`` rows and the ``login_ids`` rows."""
    from passgate.storage.users_store import attributes_json

    no_attributes = attributes_json({})
    users: dict[str, Any] = {}
    logins: dict[str, Any] = {}
    for row in range(count):
        index = first + row
        user_id = "U2" + secrets.token_hex(13)  # 28 characters, as passgate's own IDs
        email = login_id(prefix, index)
        values = {
            "id": user_id,
            "project_id": project_id,
            "name": f"Bench User {index}",
            "given_name": "Bench",
            "middle_name": "",
            "family_name": f"User{index}",
            "email": email,
            "verified_email": False,
            "phone": "",
            "verified_phone": False,
            "status": "enabled",
            "test": False,
            "picture": "",
            "custom_attributes": no_attributes,
            "created_at": now_ms - index,
            "modified_at": now_ms - index,
        }
        users.update({f"{column}_{row}": value for column, value in values.items()})
        login = {"project_id": project_id, "login_id": email, "user_id": user_id, "position": 0}
        logins.update({f"{column}_{row}": value for column, value in login.items()})
    return users, logins


def chunks(count: int, size: int) -> Iterator[tuple[int, int]]:
    """``(first, how many)`` of each chunk of ``range(count)``."""
    for first in range(0, count, size):
        yield first, min(size, count - first)


# PostgreSQL: the rows of users ``:first`` .. ``:last``, made by the server. The user ID is
# derived from the index (``:salt`` makes it unique to this load), so both tables agree.
PG_USER_ID = "'U2' || substr(md5(:salt || CAST(i AS text)), 1, 26)"
PG_EMAIL = ":prefix || CAST(i AS text) || '@example.com'"
PG_SERIES = "FROM generate_series(CAST(:first AS bigint), CAST(:last AS bigint)) AS i"
PG_USERS = (
    f"INSERT INTO users ({', '.join(USER_COLUMNS)}) SELECT {PG_USER_ID}, :project, 'Bench User ' || CAST(i AS text),"
    f" 'Bench', '', 'User' || CAST(i AS text), {PG_EMAIL}, false, '', false, 'enabled', false, '', :attributes,"
    f" :now - i, :now - i {PG_SERIES}"
)
PG_LOGIN_IDS = (
    f"INSERT INTO login_ids ({', '.join(LOGIN_COLUMNS)}) SELECT :project, {PG_EMAIL}, {PG_USER_ID}, 0 {PG_SERIES}"
)


async def _insert_range(tx: Any, dialect: str, project_id: str, prefix: str, first: int, count: int) -> None:
    """Users ``first`` .. ``first + count - 1`` in the open transaction ``tx``."""
    now_ms = int(now() * 1000)
    if dialect == "postgresql":
        from passgate.storage.users_store import attributes_json

        params = {"project": project_id, "prefix": prefix, "first": first, "last": first + count - 1}
        salt = secrets.token_hex(4)
        await tx.execute(PG_USERS, {**params, "salt": salt, "attributes": attributes_json({}), "now": now_ms})
        await tx.execute(PG_LOGIN_IDS, {**params, "salt": salt})
        return
    for chunk_first, size in chunks(count, CHUNK.get(dialect, 50)):
        users, logins = chunk_params(project_id, prefix, first + chunk_first, size, now_ms)
        await tx.execute(multi_insert("users", USER_COLUMNS, size), users)
        await tx.execute(multi_insert("login_ids", LOGIN_COLUMNS, size), logins)


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
