"""workspace time zone

Workspaces get the IANA time zone their pages show times in. Existing rows get "UTC" through
the server default: the times they showed before.

Revision ID: 1b6c87f9b060
Revises: 011bf9f1c314
Create Date: 2026-12-03 09:08:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1b6c87f9b060'
down_revision = '011bf9f1c314'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('workspaces', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
