"""Schema migrations (Alembic), applied by ``passgate migrate`` and on ``serve`` start.

Safe to run from several processes at once: on PostgreSQL an advisory lock serialises
them; on SQLite the migration runs inside one write transaction.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from passgate.storage.urls import is_postgres, sqlalchemy_url, sqlite_path

_SCRIPT_LOCATION = "passgate.storage:migrations"
_ADVISORY_LOCK_ID = 0x70617373  # "pass"


def alembic_config(connection: Connection) -> Config:
    """An Alembic config that runs on ``connection``."""
    config = Config()
    config.set_main_option("script_location", _SCRIPT_LOCATION)
    config.attributes["connection"] = connection
    return config


def upgrade(url: str) -> None:
    """Bring the database at ``url`` to the newest schema."""
    if not is_postgres(url):
        sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(sqlalchemy_url(url))
    try:
        with engine.begin() as connection:
            if is_postgres(url):
                connection.execute(text(f"SELECT pg_advisory_xact_lock({_ADVISORY_LOCK_ID})"))
            else:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
            command.upgrade(alembic_config(connection), "head")
    finally:
        engine.dispose()
