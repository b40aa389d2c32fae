"""search indexes: trigram indexes for the text filter (PostgreSQL), users by test flag

Revision ID: 0009
Revises: 0008

The text filter of user search is a case-insensitive substring match (``LIKE '%x%'``),
which no B-tree serves: over 10^6 users it scanned both tables (~1.8 s for a page and
its total on PostgreSQL). pg_trgm's GIN indexes answer it in ~10 ms each. The indexed
expressions are ``user_search.TEXT_FIELDS`` and ``LOWER(login_id)``: the query must spell
them the same way for PostgreSQL to use the indexes. Where pg_trgm is not available the
indexes are skipped (search stays correct, only slower). SQLite has no such index; it
scans (~1.8 s at 10^6 users on the 2026-12-01 bench machine; an FTS5 trigram table would
be its counterpart).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The expression of user_search.TEXT_FIELDS over table ``users`` (no alias): name, given
# name, family name, email and phone, one per line.
_USERS_TEXT = "LOWER(name || '\n' || given_name || '\n' || family_name || '\n' || email || '\n' || phone)"


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index('ix_users_project_test', ['project_id', 'test'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name != 'postgresql' or not _trigrams_available(bind):
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_users_text ON users USING gin (({_USERS_TEXT}) gin_trgm_ops)")
    op.execute("CREATE INDEX ix_login_ids_text ON login_ids USING gin ((LOWER(login_id)) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX IF EXISTS ix_login_ids_text")
        op.execute("DROP INDEX IF EXISTS ix_users_text")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index('ix_users_project_test')


def _trigrams_available(bind: sa.engine.Connection) -> bool:
    found = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    return found is not None
