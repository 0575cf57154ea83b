"""What a click on Send / Update records: one PushJob row, committed, then enqueued.

At most one push per record is pending at a time: a second click (or a second tab) while one
is queued, running or waiting gets that same row back, enforced by a partial unique index so
that two racing requests cannot both insert.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from xeroapp.extensions import db
from xeroapp.models.workspace import User
from xeroapp.models.xero import PENDING_PUSH_STATUSES, PushJob, XeroConnection
from xeroapp.sync import linking, outbox


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
            outbox.enqueue([self.job.id])


class CannotPush(Exception):
    """Nothing can be sent now (not connected); the message is for the user."""


def pending_push(record: Any) -> PushJob | None:
    return db.session.scalar(sa.select(PushJob).where(
        PushJob.workspace_id == record.workspace_id, PushJob.record_kind == record.record_kind,
        PushJob.record_id == record.id, PushJob.status.in_(PENDING_PUSH_STATUSES)))


def stage_push(record: Any, user: User, *, contact_choice: str | None = None) -> StagedPush:
    """Add a push of ``record`` to the session, uncommitted (the caller's transaction decides).
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
                  status="queued", requested_by_id=user.id, contact_choice=contact_choice)
    if connection.needs_reconnect:  # recorded now, sent once someone reconnects
        job.status, job.error_message = "waiting", outbox.RECONNECT_REASON
    db.session.add(job)
    return StagedPush(job=job, new=True)


def request_push(record: Any, user: User, *, contact_choice: str | None = None) -> PushJob:
    """Record a push of ``record`` (or return the one already pending), commit, enqueue."""
    staged = stage_push(record, user, contact_choice=contact_choice)
    if staged.not_connected:
        raise CannotPush("Xero is not connected. Connect it in Settings > Integrations.")
    if not staged.new:
        return staged.job
    try:
        db.session.commit()
    except IntegrityError:  # another request inserted the pending row first
        db.session.rollback()
        pending = pending_push(record)
        if pending is None:
            raise
        return pending
    staged.enqueue()
    return staged.job
