"""management key options: description, status, expiry, permitted IPs, role assignment

Revision ID: 0012
Revises: 0010

Management keys made through the API (``/v1/mgmt/managementkey``) carry what Descope's
do. Existing keys get the defaults: active, no expiry, any address.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('management_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('permitted_ips', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('rebac', sa.Text(), server_default='{}', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('management_keys', schema=None) as batch_op:
        batch_op.drop_column('rebac')
        batch_op.drop_column('permitted_ips')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('status')
        batch_op.drop_column('description')
