"""outbox claim owner: the worker holding a message's lease

Revision ID: 0011
Revises: 0010

A claim now names its worker (``claimed_by``), which renews the lease while it works on
the message, so the lease can be short (a killed worker's messages go out within seconds)
without a slow send being taken over; the outcome is recorded only by the claim's holder.
Rows claimed before this migration have no owner: their lease simply runs out.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('claimed_by', sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('claimed_by')
