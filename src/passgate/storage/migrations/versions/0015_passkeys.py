"""passkeys (WebAuthn credentials) and their ceremonies

Revision ID: 0015
Revises: 0014

A credential row per passkey, its public key and sign count; a ceremony row per started
registration or assertion, used once by its finish and dropped after it expires.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('webauthn_credentials',
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('credential_id', sa.String(length=1400), nullable=False),
    sa.Column('user_id', sa.String(length=32), nullable=False),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('sign_count', sa.BigInteger(), nullable=False),
    sa.Column('transports', sa.Text(), server_default='[]', nullable=False),
    sa.Column('aaguid', sa.String(length=36), server_default='', nullable=False),
    sa.Column('backup_eligible', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('backup_state', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('name', sa.String(length=200), server_default='', nullable=False),
    sa.Column('rp_id', sa.String(length=253), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('last_used_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'credential_id')
    )
    op.create_index('ix_webauthn_credentials_user', 'webauthn_credentials', ['user_id'], unique=False)
    op.create_table('webauthn_ceremonies',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('project_id', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('login_id', sa.String(length=320), server_default='', nullable=False),
    sa.Column('user_id', sa.String(length=32), server_default='', nullable=False),
    sa.Column('challenge', sa.String(length=100), nullable=False),
    sa.Column('origin', sa.String(length=300), nullable=False),
    sa.Column('rp_id', sa.String(length=253), nullable=False),
    sa.Column('details', sa.Text(), server_default='{}', nullable=False),
    sa.Column('expires_at', sa.BigInteger(), nullable=False),
    sa.Column('used_at', sa.BigInteger(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_webauthn_ceremonies_expiry', 'webauthn_ceremonies', ['project_id', 'expires_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_webauthn_ceremonies_expiry', table_name='webauthn_ceremonies')
    op.drop_table('webauthn_ceremonies')
    op.drop_index('ix_webauthn_credentials_user', table_name='webauthn_credentials')
    op.drop_table('webauthn_credentials')
