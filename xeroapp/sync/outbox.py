"""What the rest of the app calls to get a PushJob row onto the queue, and to park and resume
pushes while the Xero connection needs reconnecting.

The PushJob row is the truth; RQ only carries its id. So the row is committed first and the
job enqueued after: if Redis is down at that moment the row stays ``queued`` and the sweeper
(sync/sweeper.py) enqueues it later, nothing is lost. A job that finds its row not ``queued``
must do nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.orm import Session

from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob
from xeroapp.queue import get_queue

log = logging.getLogger(__name__)

# The RQ job function that runs one push (xeroapp/sync/jobs.py, issue 4); it takes the PushJob id.
PUSH_FUNCTION = "xeroapp.sync.jobs.run_push_job"

# PushJob.error_message of a push parked because the connection lost its grant. Rate-limit
# waits carry their own message and a not_before; this one waits for a person, not a time.
RECONNECT_REASON = "Waiting for Xero to be reconnected."
OTHER_ORGANISATION = ("Not sent: this workspace is now connected to a different Xero "
                      "organisation. Send it again to send it there.")


def rq_job_id(push_job_id: int) -> str:
    """Deterministic: enqueueing the same push twice replaces rather than duplicates it."""
    return f"push-{push_job_id}"


def enqueue(push_job_ids: Iterable[int]) -> list[int]:
    """Put committed PushJob rows on the queue; returns the ids enqueued.

    Call only after the commit that wrote the rows. A Redis failure is logged, not raised: the
    rows stay ``queued`` for the sweeper (sync/sweeper.py), and the user's action (which
    already committed) stands. After the first failure the rest are not tried: Redis is down,
    and a bulk send would otherwise wait out one failed connection per row.
    """
    ids = list(push_job_ids)
    done: list[int] = []
    for position, push_job_id in enumerate(ids):
        try:
            get_queue().enqueue(PUSH_FUNCTION, push_job_id, job_id=rq_job_id(push_job_id))
        except RedisError:
            log.warning("%d push job(s) stay queued for the sweeper: Redis unavailable",
                        len(ids) - position)
            break
        done.append(push_job_id)
    return done


def hold_for_reconnect(session: Session, workspace_id: int) -> int:
    """Park the workspace's pending pushes until someone reconnects Xero (caller commits).

    ``running`` jobs are left to their worker, which meets the same lost grant and parks its
    own job the same way.
    """
    result = session.execute(
        sa.update(PushJob)
        .where(PushJob.workspace_id == workspace_id, PushJob.status.in_(("queued", "waiting")))
        .values(status="waiting", error_message=RECONNECT_REASON, not_before=None)
    )
    return result.rowcount


def resume_after_reconnect(session: Session, workspace_id: int, tenant_id: str) -> list[int]:
    """Commit parked pushes back to ``queued`` and enqueue them; returns their ids.

    Only pushes meant for ``tenant_id`` resume: a push recorded for the organisation the
    workspace was connected to before must not land in another one (peers.md pain point 7).
    """
    parked = session.scalars(
        sa.select(PushJob).where(PushJob.workspace_id == workspace_id,
                                 PushJob.status == "waiting",
                                 PushJob.error_message == RECONNECT_REASON)
    ).all()
    resumed: list[int] = []
    for job in parked:
        if job.tenant_id in (None, tenant_id):
            job.status, job.error_message = "queued", None
            resumed.append(job.id)
        else:
            job.status, job.error_message, job.finished_at = "failed", OTHER_ORGANISATION, utcnow()
    session.commit()
    return enqueue(resumed)
