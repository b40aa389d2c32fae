"""Open the database a URL names (the one place that picks a backend)."""

from __future__ import annotations

from passgate.storage.database import Database
from passgate.storage.urls import is_postgres, sqlite_path


async def open_database(url: str, *, pool_size: int = 10) -> Database:
    """Connect to the database that ``url`` names."""
    if is_postgres(url):
        from passgate.storage.postgres_backend import PostgresDatabase

        database = PostgresDatabase(url, pool_size)
        await database.open()
        return database
    from passgate.storage.sqlite_backend import SqliteDatabase

    return SqliteDatabase(sqlite_path(url))
