"""social login: sign-ins on their way and users' provider identities

Revision ID: 0017
Revises: 0016

A flow row per started social login (its state and, once the provider answered, the
one-time code for the app, both as keyed hashes), dropped after it expires; an identity row
per user and provider subject; and on the user row the providers it has signed in with
(the User object's ``OAuth``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('oauth', sa.Text(), server_default='[]', nullable=False))
    op.create_table('oauth_flows',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('state_hash', sa.String(length=64), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=True),
    sa.Column('binding_hash', sa.String(length=64), server_default='', nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('redirect_url', sa.Text(), nullable=False),
    sa.Column('callback_url', sa.Text(), nullable=False),
    sa.Column('details', sa.Text(), server_default='{}', nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=True),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('code_hash'),
    sa.UniqueConstraint('state_hash')
    )
    op.create_index('ix_oauth_flows_project_expires', 'oauth_flows', ['project_id', 'expires_at'], unique=False)
    op.create_table('user_identities',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=64), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('email', sa.String(length=320), server_default='', nullable=False),
    sa.Column('tokens', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('last_used_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'provider', 'subject')
    )
    op.create_index('ix_user_identities_user', 'user_identities', ['user_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_user_identities_user', table_name='user_identities')
    op.drop_table('user_identities')
    op.drop_index('ix_oauth_flows_project_expires', table_name='oauth_flows')
    op.drop_table('oauth_flows')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('oauth')
