"""The port itself: transactions, constraint errors, refused values, the readiness ping."""

from __future__ import annotations

import sqlite3
import time

import pytest
from psycopg_pool import PoolClosed

from passgate.errors import DatabaseUnavailable, DataRejected, InvalidArgument
from passgate.models.projects import Project
from passgate.storage import users_store
from passgate.storage.connect import open_database
from passgate.storage.database import Database, IntegrityViolation
from tests.storage.build import a_user, stored_user

pytestmark = pytest.mark.anyio


async def test_ping_answers_on_an_open_database(db: Database) -> None:
    await db.ping()


async def test_ping_fails_once_the_database_is_closed(storage_url: str) -> None:
    database = await open_database(storage_url, pool_size=1)
    await database.close()
    with pytest.raises((sqlite3.ProgrammingError, PoolClosed)):
        await database.ping()


async def test_a_failed_transaction_leaves_nothing_behind(db: Database, project: Project) -> None:
    user = a_user(project.id)

    async def write_then_fail() -> None:
        async with db.transaction() as tx:
            await users_store.insert_user(tx, user)
            raise RuntimeError("the flow failed after writing")

    with pytest.raises(RuntimeError):
        await write_then_fail()
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) is None
        assert await users_store.login_id_owner(tx, project.id, user.login_ids[0]) is None


async def test_a_duplicate_key_is_an_integrity_violation(db: Database, project: Project) -> None:
    user = await stored_user(db, project.id)
    with pytest.raises(IntegrityViolation):
        async with db.transaction() as tx:
            await users_store.insert_user(tx, a_user(project.id, id=user.id))


async def test_a_value_too_long_for_its_column_is_refused_or_kept_whole(db: Database, project: Project) -> None:
    """``users.phone`` is ``VARCHAR(32)``: PostgreSQL refuses a longer value with
    ``DataRejected`` (a client error, nothing stored); SQLite does not bound text and keeps
    it whole. Neither truncates it silently."""
    user = a_user(project.id, phone="+1" + "5" * 40)
    if db.dialect == "postgresql":
        with pytest.raises(DataRejected) as refused:
            async with db.transaction() as tx:
                await users_store.insert_user(tx, user)
        assert isinstance(refused.value, InvalidArgument)
        assert refused.value.status == 400
        expected = None
    else:
        async with db.transaction() as tx:
            await users_store.insert_user(tx, user)
        expected = user
    async with db.transaction(write=False) as tx:
        assert await users_store.find_by_id(tx, project.id, user.id) == expected


@pytest.mark.parametrize("storage_url", ["postgres"], indirect=True)
async def test_ping_gives_up_in_bounded_time_when_no_connection_is_free(storage_url: str) -> None:
    """A readiness probe must answer even when every pooled connection is busy: 503 within 2 s."""
    database = await open_database(storage_url, pool_size=1)
    try:
        async with database.transaction():  # holds the pool's only connection
            began = time.monotonic()
            with pytest.raises(DatabaseUnavailable):
                await database.ping()
            assert time.monotonic() - began < 2
        await database.ping()  # the connection is back: the probe passes again
    finally:
        await database.close()
