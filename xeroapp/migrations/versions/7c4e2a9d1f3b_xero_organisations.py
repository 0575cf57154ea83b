"""xero organisations

What we last read of each Xero organisation a workspace connected to (country, base currency,
enabled currencies, tax rates, accounts), so pages offer its own codes without calling Xero.

Revision ID: 7c4e2a9d1f3b
Revises: 5d2e8c41a7f3
Create Date: 2026-12-05 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c4e2a9d1f3b'
down_revision = '5d2e8c41a7f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xero_organisations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tenant_id', sa.String(length=36), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('country_code', sa.String(length=2), nullable=True),
    sa.Column('base_currency', sa.String(length=3), nullable=True),
    sa.Column('currencies', sa.JSON(), nullable=False),
    sa.Column('tax_rates', sa.JSON(), nullable=False),
    sa.Column('accounts', sa.JSON(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id'], name=op.f('fk_xero_organisations_workspace_id_workspaces')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xero_organisations')),
    sa.UniqueConstraint('workspace_id', 'tenant_id', name=op.f('uq_xero_organisations_workspace_id_tenant_id'))
    )
    with op.batch_alter_table('xero_organisations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xero_organisations_workspace_id'), ['workspace_id'], unique=False)


def downgrade():
    with op.batch_alter_table('xero_organisations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xero_organisations_workspace_id'))

    op.drop_table('xero_organisations')
