"""whether each user has a passkey and an authenticator app

Revision ID: 0013
Revises: 0012

The User object's ``webauthn`` and ``TOTP`` flags, kept beside the user row (rather than
found by a join on every user load) by the transactions that add and remove credentials.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('webauthn', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('totp', sa.Boolean(), server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('totp')
        batch_op.drop_column('webauthn')
