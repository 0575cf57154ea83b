"""The click's side of a push: record one PushJob row, commit, and only then enqueue it.

The PushJob row is the truth; RQ only carries its id. So the row is committed first and the
job enqueued after: if Redis is down at that moment the row stays ``queued`` and the sweeper
(sync/sweeper.py) enqueues it later, nothing is lost. A job that finds its row not runnable
does nothing.

Two ways in:

- ``request_push``: a click on Send / Update (the panel, the Activity page) records the push,
  commits it and enqueues it.
- ``stage_push``: a save with "Save to Xero" puts the row in the SAME transaction as the
  record's save, so a saved record always has its push recorded and a failed save records
  none; the caller commits, then calls ``StagedPush.enqueue``.

At most one push per record is pending at a time: a second click (or a second tab) while one
is queued, running or waiting gets that same row back, enforced by a partial unique index
(``uq_push_jobs_pending_record``) so that two racing requests cannot both insert.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from redis.exceptions import RedisError
from sqlalchemy.exc import IntegrityError

from xeroapp.extensions import db
from xeroapp.models.workspace import User
from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob, XeroConnection
from xeroapp.queue import get_queue
from xeroapp.sync import linking

log = logging.getLogger(__name__)

# The RQ job function that runs one push (sync/jobs.py); it takes the PushJob id.
PUSH_FUNCTION = "xeroapp.sync.jobs.run_push_job"

NOT_CONNECTED = ("Saved in this app only: Xero is not connected, so nothing was sent. "
                 "Connect it in Settings > Integrations, then use Send on the Xero tab.")


class CannotPush(Exception):
    """Nothing can be sent now (not connected); the message is for the user."""


@dataclass
class StagedPush:
    """What staging decided: a new row to enqueue after commit, the pending row that will
    pick up this change, or that nothing can be sent because Xero is not connected."""

    job: PushJob | None = None
    new: bool = False
    not_connected: bool = False

    def enqueue(self) -> None:
        """Call after the commit: a new queued row goes onto RQ."""
        if self.new and self.job is not None and self.job.status == "queued":
            enqueue([self.job.id])


def pending_push(record: Any) -> PushJob | None:
    return pending_row(record.workspace_id, record.record_kind, record.id)


def pending_row(workspace_id: int, record_kind: str, record_id: int) -> PushJob | None:
    """The push of that kind and record still queued, running or waiting, if any."""
    return db.session.scalar(sa.select(PushJob).where(
        PushJob.workspace_id == workspace_id, PushJob.record_kind == record_kind,
        PushJob.record_id == record_id, PushJob.status.in_(PENDING_PUSH_STATUSES)))


def stage_push(record: Any, user: User | None, *, contact_choice: str | None = None) -> StagedPush:
    """Add a push of ``record`` to the session, uncommitted (the caller's transaction decides).
    ``user``: who asked (None when a job asks for a person whose account is gone since).
    A push still queued, running or waiting is reused: it loads the record fresh when it runs."""
    db.session.flush()  # a new record needs its id; a number clash surfaces here, in the save
    pending = pending_push(record)
    if pending is not None:
        return StagedPush(job=pending)
    connection = XeroConnection.usable_for(record.workspace_id)
    if connection is None:
        return StagedPush(not_connected=True)
    link = linking.find(record, connection.tenant_id)
    job = PushJob(workspace_id=record.workspace_id, record_kind=record.record_kind,
                  record_id=record.id, record_version=record.version,
                  tenant_id=connection.tenant_id, action="update" if link else "send",
                  status="queued", requested_by_id=user.id if user else None,
                  contact_choice=contact_choice)
    if connection.needs_reconnect:  # recorded now, sent once someone reconnects
        job.park_for_reconnect()
    db.session.add(job)
    return StagedPush(job=job, new=True)


def request_push(record: Any, user: User | None, *, contact_choice: str | None = None) -> PushJob:
    """Record a push of ``record`` (or return the one already pending), commit, enqueue."""
    staged = stage_push(record, user, contact_choice=contact_choice)
    if staged.not_connected:
        raise CannotPush("Xero is not connected. Connect it in Settings > Integrations.")
    if not staged.new:
        return staged.job
    return commit_new(staged.job)


def commit_new(job: PushJob) -> PushJob:
    """Commit a new row (added to the session) and then enqueue it if it is queued. When
    another request recorded the same record's pending push first (the partial unique index
    refuses the second), that one is returned instead."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        pending = pending_row(job.workspace_id, job.record_kind, job.record_id)
        if pending is None:
            raise
        return pending
    if job.status == "queued":
        enqueue([job.id])
    return job


def is_pending_push_clash(exc: IntegrityError) -> bool:
    """The commit lost a race with another request that recorded this record's pending push
    first (the partial unique index on push_jobs); that push will carry the save."""
    return "push_jobs" in str(exc.orig) or "uq_push_jobs_pending_record" in str(exc.orig)


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
