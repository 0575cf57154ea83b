"""push rate-limit waits

PushJob.attempts counts tries that went to Xero with the record; a try stopped by a rate
limit is counted apart in rate_limit_waits. Existing rows get 0 waits (their attempts stay
as they were counted).

Revision ID: 7c2e4a91d5f3
Revises: 7c4e2a9d1f3b
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7c2e4a91d5f3'
down_revision = '7c4e2a9d1f3b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rate_limit_waits', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('push_jobs', schema=None) as batch_op:
        batch_op.drop_column('rate_limit_waits')
