"""Storage: one port over SQLite and PostgreSQL.

``tables`` is the schema (SQLAlchemy Core, the source for Alembic migrations);
``database`` runs portable SQL on either backend; the ``*_store`` modules hold the SQL of
each aggregate. Nothing above this package writes SQL.
"""
