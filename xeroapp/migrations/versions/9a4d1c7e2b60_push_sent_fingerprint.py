"""push sent fingerprint

PushJob.sent_fingerprint: the content fingerprint of a document this push sent to Xero
without a number (Xero numbers it) and whose answer has not come back yet. While it is set
the document may be in Xero already, and the next send looks for that copy first.

Revision ID: 9a4d1c7e2b60
Revises: 7c2e4a91d5f3
Create Date: 2026-12-12 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '9a4d1c7e2b60'
down_revision = '7c2e4a91d5f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sent_fingerprint', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.drop_column('sent_fingerprint')
