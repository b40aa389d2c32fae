"""The storage contract: each store driven through its own functions, on both backends.

Every test gets an open ``Database`` over a migrated database of its backend: SQLite in a
temporary file, or a fresh, uniquely named PostgreSQL database made for this run and
dropped afterwards (unreachable PostgreSQL fails the run in CI and skips it elsewhere, the
policy of ``tests/support.py``). Tests share that database through projects of their own.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from passgate.models.projects import Project
from passgate.storage.connect import open_database
from passgate.storage.database import Database
from tests.storage.build import new_project
from tests.support import database_url


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def storage_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with database_url(str(request.param), tmp_path_factory.mktemp(f"storage-{request.param}")) as url:
        yield url


@pytest.fixture
async def db(storage_url: str) -> AsyncIterator[Database]:
    database = await open_database(storage_url, pool_size=2)
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def project(db: Database) -> Project:
    """A project of this test's own, stored."""
    return await new_project(db)
