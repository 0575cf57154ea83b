"""Pushes parked while the Xero connection needs reconnecting, and resumed once it is.

xero/tokens.py only flags the connection (``XeroConnection.needs_reconnect``) and announces it
with the ``connection_lost`` signal; this module listens and parks the workspace's pending
pushes in the same transaction, so every page shows the wait and no worker keeps calling Xero
with a dead grant. A parked row is ``waiting`` with error_kind ``reconnect``
(``PushJob.park_for_reconnect``) and no ``not_before``: it waits for a person, not a time, so
neither a scheduled retry nor the sweeper sends it. Reconnecting (integrations/connecting.py)
resumes the rows meant for the organisation now connected.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from xeroapp.models.types import utcnow
from xeroapp.models.xero import (RECONNECT_WAIT, WAITING_FOR_RECONNECT, PushJob,
                                 XeroConnection)
from xeroapp.sync import outbox
from xeroapp.xero.tokens import connection_lost

RECONNECT_REASON = WAITING_FOR_RECONNECT  # the parked row's error_message, for the panel
OTHER_ORGANISATION = ("Not sent: this workspace is now connected to a different Xero "
                      "organisation. Send it again to send it there.")


def hold_for_reconnect(session: Session, workspace_id: int) -> int:
    """Park the workspace's pending pushes until someone reconnects Xero (caller commits).

    ``running`` jobs are left to their worker, which meets the same lost grant and parks its
    own job the same way.
    """
    result = session.execute(
        sa.update(PushJob)
        .where(PushJob.workspace_id == workspace_id, PushJob.status.in_(("queued", "waiting")))
        .values(status="waiting", error_kind=RECONNECT_WAIT, error_message=RECONNECT_REASON,
                error_field=None, not_before=None)
    )
    return result.rowcount


def resume_after_reconnect(session: Session, workspace_id: int, tenant_id: str) -> list[int]:
    """Commit parked pushes back to ``queued`` and enqueue them; returns their ids.

    Only pushes meant for ``tenant_id`` resume: a push recorded for the organisation the
    workspace was connected to before must not land in another one (it would create there a
    copy of a record the other organisation already holds).
    """
    parked = session.scalars(sa.select(PushJob).where(PushJob.workspace_id == workspace_id,
                                                      PushJob.waits_for_reconnect)).all()
    resumed: list[int] = []
    for job in parked:
        job.error_kind = None
        if job.tenant_id in (None, tenant_id):
            job.status, job.error_message = "queued", None
            resumed.append(job.id)
        else:
            job.status, job.error_message, job.finished_at = "failed", OTHER_ORGANISATION, utcnow()
    session.commit()
    return outbox.enqueue(resumed)


@connection_lost.connect
def _park_the_workspace(connection: XeroConnection, *, session: Session, **_: object) -> None:
    """The connection lost its grant: park its workspace's pushes (the sender commits)."""
    hold_for_reconnect(session, connection.workspace_id)
