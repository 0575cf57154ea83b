"""The RQ job of an organisation's bulk lane (sync/bulk/lanes.py): ``run_lane(tenant_id)``.

One run of it:
1. asks the budget whether the organisation could call now, counting nothing; if not, the
   lane holds until then and no row is touched;
2. takes the organisation's next batch: the oldest open run's next runnable rows (a batch
   whose answer was lost goes again with exactly its own rows, under its own key:
   bulk.jobs.batch_of), and sends it through ``run_bulk_batch``, which claims the rows,
   writes each row's outcome, and handles the whole batch's stops like a single push's;
3. carries on: a successor at the back of the bulk queue while rows are runnable; a hold
   until the earliest timed wait of its rows (a back-off) ends; or, with nothing pending,
   the job leaves the lane.

The successor is arranged even when the batch raised, so an organisation's lane never stops
with rows still queued.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from rq import get_current_job
from rq.job import Job

from xeroapp.extensions import db
from xeroapp.models import BulkPush, PushJob, XeroConnection
from xeroapp.models.types import utcnow
from xeroapp.models.xero import TIMED_WAIT_KINDS
from xeroapp.sync.bulk import jobs as bulk_jobs
from xeroapp.sync.bulk import lanes
from xeroapp.xero.budget import DEFAULT_DAILY
from xeroapp.xero.client import call_opens_in


def run_lane(tenant_id: str) -> str:
    """Send the organisation's next batch, or hold; what it did (for RQ's record)."""
    job = get_current_job()
    job_id = job.id if job is not None else None
    if lanes.released(tenant_id, job_id):
        lanes.wake(tenant_id)  # the window opened: the lane widens again
    try:
        hold = _serve(tenant_id, job)
    except Exception:
        _carry_on(tenant_id, job_id, None)
        raise
    return _carry_on(tenant_id, job_id, hold)


def _serve(tenant_id: str, job: Job | None) -> datetime | None:
    """One batch sent, or the moment the budget opens (nothing touched)."""
    wait = call_opens_in(tenant_id, _daily_limit(tenant_id), bulk=True)
    if wait is not None:
        return wait.at
    row = _next_row(tenant_id)
    if row is None:
        return None
    ids = bulk_jobs.batch_of(row)
    if job is not None:  # the sweeper reads which rows a running lane job holds
        job.meta[lanes.BATCH_META] = ids
        job.save_meta()
    failures = row.attempts or 0  # tries that reached Xero (or died) so far: the back-off
    bulk_jobs.run_bulk_batch(row.bulk_push_id, ids, failures)
    return None


def _carry_on(tenant_id: str, job_id: str | None, hold: datetime | None) -> str:
    db.session.rollback()  # read what other lane jobs committed meanwhile
    if hold is None:
        runnable, earliest = _pending(tenant_id)
        if runnable:
            lanes.hand_over(tenant_id, job_id)
            return "sent"
        hold = earliest
    if hold is not None:
        lanes.hold(tenant_id, job_id, hold)
        return "held"
    if lanes.leave(tenant_id, job_id) == 0 and _pending(tenant_id)[0]:
        lanes.wake(tenant_id)  # a run staged while this job was deciding to leave
    return "idle"


# -- queries --------------------------------------------------------------------------------

def _open_runs(tenant_id: str) -> sa.Select:
    return sa.select(BulkPush.id).where(BulkPush.tenant_id == tenant_id,
                                        BulkPush.finished_at.is_(None))


def _next_row(tenant_id: str) -> PushJob | None:
    return db.session.scalar(sa.select(PushJob).where(
        PushJob.bulk_push_id.in_(_open_runs(tenant_id)), PushJob.is_runnable(utcnow()))
        .order_by(PushJob.bulk_push_id, PushJob.id).limit(1))


def _pending(tenant_id: str) -> tuple[bool, datetime | None]:
    """(a row could be sent now, the earliest end of a timed wait among the others)."""
    now = utcnow()
    in_lane = PushJob.bulk_push_id.in_(_open_runs(tenant_id))
    runnable = db.session.scalar(sa.select(sa.exists().where(in_lane, PushJob.is_runnable(now))))
    if runnable:
        return True, None
    earliest = db.session.scalar(sa.select(sa.func.min(PushJob.not_before)).where(
        in_lane, PushJob.status == "waiting", PushJob.error_kind.in_(TIMED_WAIT_KINDS)))
    return False, earliest


def _daily_limit(tenant_id: str) -> int:
    limit = db.session.scalar(sa.select(sa.func.min(XeroConnection.daily_call_limit))
                              .where(XeroConnection.tenant_id == tenant_id))
    return limit or DEFAULT_DAILY
