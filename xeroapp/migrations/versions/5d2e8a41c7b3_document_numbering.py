"""document numbering

Workspaces choose how new invoice and purchase order numbers are made: by Xero when sent, or
a prefix and next number of their own. Existing workspaces keep numbering as before (NULL:
never chosen; INV-/PO- from 1). Invoice and purchase order numbers may be NULL (not numbered
until Xero gives one); the per-workspace unique constraints stay and let NULLs through.

Revision ID: 5d2e8a41c7b3
Revises: 1b6c87f9b060
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8a41c7b3'
down_revision = '1b6c87f9b060'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('document_numbering', sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column('invoice_number_prefix', sa.String(length=10),
                                      server_default='INV-', nullable=False))
        batch_op.add_column(sa.Column('invoice_number_next', sa.Integer(), server_default='1',
                                      nullable=False))
        batch_op.add_column(sa.Column('po_number_prefix', sa.String(length=10),
                                      server_default='PO-', nullable=False))
        batch_op.add_column(sa.Column('po_number_next', sa.Integer(), server_default='1',
                                      nullable=False))
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=255), nullable=True)
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=255), nullable=True)


def downgrade():
    # Documents still waiting for Xero's number get a placeholder unique per document, so the
    # NOT NULL constraint can come back without losing them.
    for table, prefix in (('invoices', 'UNNUMBERED-'), ('purchase_orders', 'UNNUMBERED-PO-')):
        op.execute(sa.text(f"UPDATE {table} SET number = '{prefix}' || id WHERE number IS NULL"))
    with op.batch_alter_table('purchase_orders', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=255), nullable=False)
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.alter_column('number', existing_type=sa.String(length=255), nullable=False)
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('po_number_next')
        batch_op.drop_column('po_number_prefix')
        batch_op.drop_column('invoice_number_next')
        batch_op.drop_column('invoice_number_prefix')
        batch_op.drop_column('document_numbering')
