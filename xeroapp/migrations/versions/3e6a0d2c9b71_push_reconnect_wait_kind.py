"""push jobs parked for a reconnect say so in error_kind

A push parked until someone reconnects Xero was a ``waiting`` row told apart only by its
error_message ("Waiting for Xero to be reconnected."). It now carries error_kind
``reconnect`` (PushJob.waits_for_reconnect); rows parked before are given it here. No
column changes: error_kind already holds what a waiting row waits for (rate_limit,
unreachable).

Revision ID: 3e6a0d2c9b71
Revises: b7103ca83903
Create Date: 2026-12-15 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3e6a0d2c9b71'
down_revision = 'b7103ca83903'
branch_labels = None
depends_on = None

# As xeroapp.models.xero.WAITING_FOR_RECONNECT read when this was written.
PARKED_MESSAGE = "Waiting for Xero to be reconnected."
RECONNECT = "reconnect"

push_jobs = sa.table('push_jobs', sa.column('status'), sa.column('error_kind'),
                     sa.column('error_message'), sa.column('not_before'))


def upgrade():
    op.execute(push_jobs.update()
               .where(push_jobs.c.status == 'waiting',
                      push_jobs.c.error_message == PARKED_MESSAGE)
               .values(error_kind=RECONNECT, not_before=None))


def downgrade():
    # The message stays on the rows, which is all the code before this revision compared.
    op.execute(push_jobs.update()
               .where(push_jobs.c.error_kind == RECONNECT)
               .values(error_kind=None))
