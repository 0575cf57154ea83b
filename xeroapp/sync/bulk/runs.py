"""Bulk pushes from a list page: which records "Send all not in Xero" and "Update all
changed" would touch, starting a run, and its progress.

"Update all changed" leaves out the records Xero takes no more changes to (a paid, voided or
deleted invoice, as last read back from Xero: sync/xero_locks.py); they are counted apart
(``count(kind, "locked", ...)``) so the list says how many changes stay here. One whose lock
is only found during the run (not read back yet) stops before its update and is counted
apart in the progress too.

A run stages one PushJob per record (bulk_push_id = the run) in one transaction, commits, and
only then wakes its organisation's lane (sync/bulk/lanes.py), whose jobs send it
``BATCH_SIZE`` rows at a time, taking turns with other organisations; a Redis failure loses
nothing: the rows stay ``queued`` for the sweeper. Records that already
have a push pending are left to it (one pending push per record still holds).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy.dialects import postgresql, sqlite

from xeroapp.extensions import db
from xeroapp.models import BulkPush, Client, Invoice, Product, Supplier
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import User
from xeroapp.models.xero import (PENDING_INDEX_WHERE, PENDING_PUSH_STATUSES, PushJob,
                                 XeroConnection, XeroLink)
from xeroapp.sync import xero_locks
from xeroapp.sync.bulk import lanes

BATCH_SIZE = 50  # Xero advises batches of about 50 elements per request
BATCH_FUNCTION = "xeroapp.sync.bulk.jobs.run_bulk_batch"
JOB_PREFIX = "bulk-"
# A finished run stays on its list page this long, so its failures can be read.
SHOW_FINISHED_FOR = timedelta(hours=12)
BULK_MODELS: dict[str, type] = {"client": Client, "supplier": Supplier, "invoice": Invoice,
                                "product": Product}
FAILED_STATUSES = ("failed", "ambiguous", "blocked")


class CannotStart(Exception):
    """Nothing is started; the message says why, for the user."""


# -- which records ------------------------------------------------------------------------------

def candidates(kind: str, mode: str, workspace_id: int, tenant_id: str, *,
               pending_too: bool = False) -> sa.Select:
    """SELECT the records a run of ``mode`` would push: not linked in this organisation
    (send), or linked with a version newer than the one last pushed and still editable in
    Xero (update); never those with a push already pending (``pending_too``: leave that to
    the caller). ``locked``: the changed ones Xero takes no more changes to, which an update
    leaves out."""
    model = BULK_MODELS[kind]
    link = so.aliased(XeroLink)
    pending = sa.select(PushJob.id).where(
        PushJob.workspace_id == workspace_id, PushJob.record_kind == kind,
        PushJob.record_id == model.id, PushJob.status.in_(PENDING_PUSH_STATUSES))
    query = (sa.select(model)
             .outerjoin(link, sa.and_(link.workspace_id == model.workspace_id,
                                      link.record_kind == kind, link.record_id == model.id,
                                      link.tenant_id == tenant_id))
             .where(model.workspace_id == workspace_id))
    if not pending_too:
        query = query.where(~pending.exists())
    if mode == "send":
        return query.where(link.id.is_(None))
    changed = query.where(link.id.is_not(None), sa.or_(link.pushed_version.is_(None),
                                                        link.pushed_version < model.version))
    locked = xero_locks.locked_condition(link)
    return changed.where(locked) if mode == "locked" else changed.where(sa.not_(locked))


def count(kind: str, mode: str, workspace_id: int, tenant_id: str) -> int:
    query = candidates(kind, mode, workspace_id, tenant_id).order_by(None)
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0


# -- starting a run -----------------------------------------------------------------------------

def running(workspace_id: int, kind: str) -> BulkPush | None:
    return db.session.scalar(sa.select(BulkPush).where(
        BulkPush.workspace_id == workspace_id, BulkPush.record_kind == kind,
        BulkPush.finished_at.is_(None)).order_by(BulkPush.id.desc()).limit(1))


def start(workspace_id: int, kind: str, mode: str, user: User) -> BulkPush:
    """Start a run (or return the one already running for this list); raises CannotStart."""
    current = running(workspace_id, kind)
    if current is not None and refresh_finished(current) is None:
        return current
    connection = XeroConnection.usable_for(workspace_id)
    if connection is None:
        raise CannotStart("Xero is not connected. Connect it in Settings > Integrations first.")
    if connection.needs_reconnect:
        raise CannotStart("Xero needs reconnecting before anything can be sent: reconnect in "
                          "Settings > Integrations.")
    run = _stage(workspace_id, kind, mode, user, connection.tenant_id)
    if run is None:  # every record has a push pending: a concurrent click's run, say
        current = running(workspace_id, kind)
        if current is not None:
            return current
        raise CannotStart(_nothing_to_do(kind, mode, workspace_id, connection.tenant_id))
    lanes.wake(run.tenant_id)
    return run


def _nothing_to_do(kind: str, mode: str, workspace_id: int, tenant_id: str) -> str:
    if mode == "send":
        return "Nothing to send: every record is already in Xero."
    locked = count(kind, "locked", workspace_id, tenant_id)
    if locked:
        return (f"Nothing to update that Xero would take: the {locked} changed "
                f"record{'s are' if locked != 1 else ' is'} paid, voided or deleted in Xero.")
    return "Nothing to update: no record changed since it was sent."


def _stage(workspace_id: int, kind: str, mode: str, user: User,
           tenant_id: str) -> BulkPush | None:
    """Insert the run and its rows, committed; None when there is no record to push.

    One INSERT ... SELECT: the records never travel to Python and back, so thousands of rows
    are staged in a few hundredths of a second and twenty organisations pressing "Send all"
    at once do not hold up everyone's pages. A record with a push already pending (another
    tab's, a concurrent click's) is left out by the one-pending-push-per-record index itself
    (ON CONFLICT DO NOTHING), not by a NOT EXISTS that PostgreSQL, with statistics that lag
    a table filling fast, planned as a scan of every row the statement had inserted so far."""
    model = BULK_MODELS[kind]
    run = BulkPush(workspace_id=workspace_id, record_kind=kind, mode=mode, tenant_id=tenant_id,
                   total=0, requested_by_id=user.id)
    db.session.add(run)
    db.session.flush()
    now = utcnow()
    values = {"workspace_id": sa.literal(workspace_id), "record_kind": sa.literal(kind),
              "record_id": model.id, "record_version": model.version,
              "tenant_id": sa.literal(tenant_id), "action": sa.literal(mode),
              "status": sa.literal("queued"), "attempts": sa.literal(0),
              "rate_limit_waits": sa.literal(0), "requested_by_id": sa.literal(user.id),
              "bulk_push_id": sa.literal(run.id),
              "created_at": sa.literal(now, PushJob.created_at.type),
              "updated_at": sa.literal(now, PushJob.updated_at.type)}
    rows = (candidates(kind, mode, workspace_id, tenant_id, pending_too=True)
            .with_only_columns(*values.values()).order_by(model.id))
    db.session.execute(_insert_unless_pending().from_select(list(values), rows))
    # Counted, not the statement's rowcount: psycopg reports -1 for this INSERT.
    run.total = db.session.scalar(sa.select(sa.func.count()).where(PushJob.bulk_push_id == run.id))
    if not run.total:
        db.session.rollback()
        return None
    db.session.commit()
    return run


def _insert_unless_pending():
    """INSERT INTO push_jobs ... ON CONFLICT (the pending-push index) DO NOTHING, in this
    database's dialect (PostgreSQL and SQLite spell it alike)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(PushJob).on_conflict_do_nothing(
        index_elements=["workspace_id", "record_kind", "record_id"],
        index_where=sa.text(PENDING_INDEX_WHERE))


def batch_job_id(run_id: int, first_row_id: int, attempt: int = 0) -> str:
    """The id batch jobs had before lanes (``bulk-<run>-p<row>``): jobs of that name still
    queued when this version is deployed run as before, and the sweeper still reads them."""
    suffix = f"-a{attempt}" if attempt else ""
    return f"{JOB_PREFIX}{run_id}-p{first_row_id}{suffix}"


# -- progress -----------------------------------------------------------------------------------

@dataclass
class Failure:
    record: Any
    message: str


@dataclass
class Progress:
    run: BulkPush
    sent: int = 0
    failed: int = 0
    waiting: int = 0
    # Stopped before the call because Xero takes no more changes (paid, voided ...).
    locked: int = 0
    resumes_at: datetime | None = None
    failures: list[Failure] = field(default_factory=list)
    locked_records: list[Failure] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.sent + self.failed + self.locked + self.waiting

    @property
    def finished(self) -> bool:
        return self.waiting == 0

    @property
    def done_count(self) -> int:
        return self.sent + self.failed + self.locked


def refresh_finished(run: BulkPush) -> datetime | None:
    """Mark the run finished once none of its rows is pending; its finished_at (or None)."""
    if run.finished_at is None and not _pending_exists(run.id):
        run.finished_at = utcnow()
        db.session.commit()
    return run.finished_at


def _pending_exists(run_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        PushJob.bulk_push_id == run_id, PushJob.status.in_(PENDING_PUSH_STATUSES)))) or False


def progress(run: BulkPush) -> Progress:
    refresh_finished(run)
    state = Progress(run)
    rows = db.session.execute(sa.select(PushJob.status, PushJob.record_id, PushJob.error_message,
                                        PushJob.not_before, PushJob.error_kind)
                              .where(PushJob.bulk_push_id == run.id).order_by(PushJob.id)).all()
    failed_ids: list[tuple[int, str]] = []
    locked_ids: list[tuple[int, str]] = []
    for status, record_id, message, not_before, error_kind in rows:
        if status == "done":
            state.sent += 1
        elif status == "failed" and error_kind == "locked":
            state.locked += 1
            locked_ids.append((record_id, message or "Xero takes no more changes to it."))
        elif status in FAILED_STATUSES:
            state.failed += 1
            failed_ids.append((record_id, message or "Xero did not accept it."))
        else:
            state.waiting += 1
            if not_before is not None:
                state.resumes_at = max(filter(None, (state.resumes_at, not_before)))
    if state.waiting and state.resumes_at is None:  # rows untouched while the lane holds
        state.resumes_at = lanes.held_until(run.tenant_id)
    state.failures = _failures(run.record_kind, failed_ids)
    state.locked_records = _failures(run.record_kind, locked_ids)
    return state


def _failures(kind: str, failed: list[tuple[int, str]]) -> list[Failure]:
    model = BULK_MODELS[kind]
    found = {r.id: r for r in db.session.scalars(sa.select(model).where(
        model.id.in_([record_id for record_id, _ in failed])))}
    return [Failure(found[record_id], message) for record_id, message in failed
            if record_id in found]


def latest(workspace_id: int, kind: str) -> BulkPush | None:
    """The run a list page shows: the latest one, unless it finished long ago."""
    run = db.session.scalar(sa.select(BulkPush).where(
        BulkPush.workspace_id == workspace_id, BulkPush.record_kind == kind)
        .order_by(BulkPush.id.desc()).limit(1))
    if run is None:
        return None
    finished = refresh_finished(run)
    if finished is not None and finished < utcnow() - SHOW_FINISHED_FOR:
        return None
    return run
