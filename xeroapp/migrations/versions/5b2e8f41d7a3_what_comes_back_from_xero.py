"""What comes back from Xero: Xero's state on links, changes, webhook events, poll marks

Revision ID: 5b2e8f41d7a3
Revises: 3e6a0d2c9b71
Create Date: 2026-12-05 22:50:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '5b2e8f41d7a3'
down_revision = '3e6a0d2c9b71'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xero_status', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('xero_amount_paid', sa.Numeric(18, 2), nullable=True))
        batch_op.add_column(sa.Column('xero_amount_due', sa.Numeric(18, 2), nullable=True))
        batch_op.add_column(sa.Column('xero_payments', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('xero_merged_into', sa.String(length=36), nullable=True))
        batch_op.add_column(sa.Column('xero_updated_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('xero_read_at', sa.DateTime(), nullable=True))

    op.create_table(
        'xero_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_kind', sa.String(length=20), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('change', sa.String(length=20), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('xero_updated_at', sa.DateTime(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'record_kind', 'record_id', 'tenant_id', 'change',
                            'xero_updated_at', name='uq_xero_changes_once'),
    )
    with op.batch_alter_table('xero_changes', schema=None) as batch_op:
        batch_op.create_index('ix_xero_changes_record', ['workspace_id', 'record_kind', 'record_id'])
        batch_op.create_index(batch_op.f('ix_xero_changes_workspace_id'), ['workspace_id'])

    op.create_table(
        'xero_webhook_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('category', sa.String(length=20), nullable=False),
        sa.Column('resource_id', sa.String(length=36), nullable=False),
        sa.Column('event_type', sa.String(length=10), nullable=False),
        sa.Column('event_at', sa.DateTime(), nullable=False),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('processed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('tenant_id', 'category', 'resource_id', 'event_type', 'event_at',
                            name='uq_xero_webhook_events_once'),
    )
    with op.batch_alter_table('xero_webhook_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xero_webhook_events_tenant_id'), ['tenant_id'])
        batch_op.create_index(batch_op.f('ix_xero_webhook_events_processed_at'), ['processed_at'])

    op.create_table(
        'xero_poll_marks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('tenant_id', sa.String(length=36), nullable=False),
        sa.Column('resource', sa.String(length=20), nullable=False),
        sa.Column('modified_since', sa.DateTime(), nullable=True),
        sa.Column('polled_at', sa.DateTime(), nullable=True),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspaces.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'tenant_id', 'resource'),
    )
    with op.batch_alter_table('xero_poll_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xero_poll_marks_workspace_id'), ['workspace_id'])


def downgrade():
    op.drop_table('xero_poll_marks')
    op.drop_table('xero_webhook_events')
    op.drop_table('xero_changes')
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        for column in ('xero_read_at', 'xero_updated_at', 'xero_merged_into', 'xero_payments',
                       'xero_amount_due', 'xero_amount_paid', 'xero_status'):
            batch_op.drop_column(column)
