"""users' authenticator apps (TOTP)

Revision ID: 0014
Revises: 0013

One row per user: the confirmed secret, a secret awaiting its first code (an enrolment
that has not finished leaves the confirmed one working), both sealed, and the last time
step a code was accepted for (a code works once).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('totp_secrets',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('secret', sa.Text(), server_default='', nullable=False),
    sa.Column('pending_secret', sa.Text(), server_default='', nullable=False),
    sa.Column('last_step', sa.BigInteger(), server_default='0', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('confirmed_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )


def downgrade() -> None:
    op.drop_table('totp_secrets')
