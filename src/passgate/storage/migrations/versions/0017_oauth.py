"""social login and SSO: sign-ins on their way, users' provider identities, tenants' SSO

Revision ID: 0017
Revises: 0016

A flow row per started social login (its state and, once the provider answered, the
one-time code for the app, both as keyed hashes), dropped after it expires; an identity row
per user and provider subject; and on the user row the providers it has signed in with
(the User object's ``OAuth``); a tenant's SSO configuration per ``sso_id``, as JSON; the
SAML assertions accepted until they expire (the replay cache).
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
        batch_op.add_column(sa.Column('saml', sa.Boolean(), server_default='0', nullable=False))
    op.create_table('oauth_flows',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('provider', sa.String(length=200), nullable=False),
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
    sa.Column('provider', sa.String(length=200), nullable=False),
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
    op.create_table('sso_configurations',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('tenant_id', sa.String(length=64), nullable=False),
    sa.Column('sso_id', sa.String(length=64), nullable=False),
    sa.Column('settings', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('modified_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id', 'tenant_id'], ['tenants.project_id', 'tenants.id'], name='fk_sso_tenant', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'tenant_id', 'sso_id')
    )
    op.create_table('saml_assertions',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('assertion_id', sa.String(length=255), nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'assertion_id')
    )
    op.create_index('ix_saml_assertions_expires', 'saml_assertions', ['project_id', 'expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_saml_assertions_expires', table_name='saml_assertions')
    op.drop_table('saml_assertions')
    op.drop_table('sso_configurations')
    op.drop_index('ix_user_identities_user', table_name='user_identities')
    op.drop_table('user_identities')
    op.drop_index('ix_oauth_flows_project_expires', table_name='oauth_flows')
    op.drop_table('oauth_flows')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('saml')
        batch_op.drop_column('oauth')
