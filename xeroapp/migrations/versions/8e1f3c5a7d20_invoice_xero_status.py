"""Settings > Invoices: the status new invoices are created in, in Xero; the status each
link's create sent

Revision ID: 8e1f3c5a7d20
Revises: 5b2e8f41d7a3
Create Date: 2026-12-05 23:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '8e1f3c5a7d20'
down_revision = '5b2e8f41d7a3'
branch_labels = None
depends_on = None


def upgrade():
    # Existing workspaces keep what they got so far: drafts.
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('invoice_xero_status', sa.String(length=20),
                                      nullable=False, server_default='DRAFT'))
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_status', sa.String(length=20), nullable=True))


def downgrade():
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        batch_op.drop_column('sent_status')
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('invoice_xero_status')
