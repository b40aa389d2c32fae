"""management key options (description, status, expiry, permitted IPs, role assignment);
the custom attributes a project defines for its users

Revision ID: 0012
Revises: 0011

Management keys made through the API (``/v1/mgmt/managementkey``) carry what Descope's
do; existing keys get the defaults: active, no expiry, any address. ``custom_attributes``
holds the definitions of ``/v1/mgmt/user/customattribute/create``; a project without any
keeps accepting whatever attributes it is sent, as before.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('management_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=2000), server_default='', nullable=False))
        batch_op.add_column(sa.Column('status', sa.String(length=16), server_default='active', nullable=False))
        batch_op.add_column(sa.Column('expires_at', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('permitted_ips', sa.Text(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('rebac', sa.Text(), server_default='{}', nullable=False))

    op.create_table('custom_attributes',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('type', sa.Integer(), nullable=False),
    sa.Column('display_name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('options', sa.Text(), server_default='[]', nullable=False),
    sa.Column('required', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'name')
    )


def downgrade() -> None:
    op.drop_table('custom_attributes')
    with op.batch_alter_table('management_keys', schema=None) as batch_op:
        batch_op.drop_column('rebac')
        batch_op.drop_column('permitted_ips')
        batch_op.drop_column('expires_at')
        batch_op.drop_column('status')
        batch_op.drop_column('description')
