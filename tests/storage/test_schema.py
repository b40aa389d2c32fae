"""The migrations build exactly the schema ``storage/tables.py`` declares, on both backends."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from passgate.storage.tables import POSTGRES_ONLY_INDEXES, metadata
from passgate.storage.urls import sqlalchemy_url
from tests.support import database_url


def test_migrations_match_the_declared_schema(backend: str, tmp_path: Path) -> None:
    with database_url(backend, tmp_path) as url:
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.connect() as connection:
                context = MigrationContext.configure(connection, opts={"include_object": _declared})
                differences = compare_metadata(context, metadata)
        finally:
            engine.dispose()
    assert differences == []


def test_text_search_has_trigram_indexes_on_postgres(tmp_path: Path) -> None:
    with database_url("postgres", tmp_path) as url:
        engine = create_engine(sqlalchemy_url(url))
        try:
            with engine.connect() as connection:
                rows = connection.execute(text("SELECT indexname, indexdef FROM pg_indexes")).all()
        finally:
            engine.dispose()
    found = {name: definition for name, definition in rows if name in POSTGRES_ONLY_INDEXES}
    assert set(found) == POSTGRES_ONLY_INDEXES
    assert all("gin_trgm_ops" in definition for definition in found.values())


def _declared(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Everything but the PostgreSQL-only expression indexes, which ``tables.py`` lists by name."""
    return not (type_ == "index" and name in POSTGRES_ONLY_INDEXES)
