"""link pushed fields

XeroLink.pushed_fields: a contact's fields as they were at its last push, so that an update
sends only what changed here. Existing links get NULL: their next update sends only the
fields we hold.

Revision ID: 7c3e5a1d9b42
Revises: 5d2e8a41c7b3
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c3e5a1d9b42'
down_revision = '5d2e8a41c7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pushed_fields', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('xero_links', schema=None) as batch_op:
        batch_op.drop_column('pushed_fields')
