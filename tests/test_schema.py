"""The migrations build exactly the schema ``storage/tables.py`` declares, on both backends."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from passgate.storage.tables import metadata
from passgate.storage.urls import sqlalchemy_url
from tests.support import database_url


def test_migrations_match_the_declared_schema(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.connect() as connection:
                differences = compare_metadata(MigrationContext.configure(connection), metadata)
        finally:
            engine.dispose()
    assert differences == []
