"""passwords, their history and policies; resumable user imports

Revision ID: 0016
Revises: 0015

A user's password hash (argon2id, or a hash imported from another system until its first
sign-in rehashes it), whether it must be changed, when it was set and the wrong tries since
the last right one; earlier hashes for the reuse check; the project's and tenants' password
policies; and, per imported file, the lines committed so far (a crashed import resumes
after them). The User object's ``password`` flag is kept on the user row, as ``webauthn``
and ``totp`` are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password', sa.Boolean(), server_default='0', nullable=False))
    op.create_table('passwords',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('hash', sa.Text(), nullable=False),
    sa.Column('must_change', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('set_at', sa.BigInteger(), nullable=False),
    sa.Column('failed_attempts', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.create_table('password_history',
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('set_at', sa.BigInteger(), nullable=False),
    sa.Column('hash', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'set_at')
    )
    op.create_table('password_policies',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'tenant_id')
    )
    op.create_table('user_imports',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('file_digest', sa.String(length=64), nullable=False),
    sa.Column('lines_done', sa.BigInteger(), nullable=False),
    sa.Column('imported', sa.BigInteger(), nullable=False),
    sa.Column('failed', sa.BigInteger(), nullable=False),
    sa.Column('updated_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'file_digest')
    )


def downgrade() -> None:
    op.drop_table('user_imports')
    op.drop_table('password_policies')
    op.drop_table('password_history')
    op.drop_table('passwords')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password')
