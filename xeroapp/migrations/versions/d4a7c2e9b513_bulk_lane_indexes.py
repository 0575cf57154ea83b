"""Indexes for bulk lanes: an organisation's open runs, and a run's rows by status

Revision ID: d4a7c2e9b513
Revises: 8e1f3c5a7d20
Create Date: 2026-12-06 02:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd4a7c2e9b513'
down_revision = '8e1f3c5a7d20'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_push_jobs_bulk_push_id'))
        batch_op.create_index('ix_push_jobs_bulk_status', ['bulk_push_id', 'status'], unique=False)
    with op.batch_alter_table('bulk_pushes', schema=None) as batch_op:
        batch_op.create_index('ix_bulk_pushes_open', ['tenant_id', 'finished_at'], unique=False)


def downgrade():
    with op.batch_alter_table('bulk_pushes', schema=None) as batch_op:
        batch_op.drop_index('ix_bulk_pushes_open')
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_push_jobs_bulk_status')
        batch_op.create_index(batch_op.f('ix_push_jobs_bulk_push_id'), ['bulk_push_id'], unique=False)
