"""xero connection user

Connections remember the Xero user whose grant they hold (the access token's xero_userid),
so that disconnecting one workspace revokes the grant only when no other workspace holds a
grant of the same user. Existing rows start empty and are filled at their next token refresh.

Revision ID: 5d2e8c41a7f3
Revises: 7c3e5a1d9b42
Create Date: 2026-12-10 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5d2e8c41a7f3'
down_revision = '7c3e5a1d9b42'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('xero_connections', schema=None) as batch_op:
        batch_op.add_column(sa.Column('xero_user_id', sa.String(length=36), nullable=True))
        batch_op.create_index(batch_op.f('ix_xero_connections_xero_user_id'), ['xero_user_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('xero_connections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xero_connections_xero_user_id'))
        batch_op.drop_column('xero_user_id')
