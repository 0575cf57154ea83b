"""One batch of a bulk run: ``run_bulk_batch(run_id, row_ids)`` sends up to 50 PushJob rows
in one batched request (sync/bulk/senders.py) and writes each row's own outcome. The
organisation's lane job (sync/bulk/lane_job.py) calls it; so does a reconnect resuming
parked rows, through ``run_single``.

It follows the single job's rules (sync/jobs.py) for the batch as a whole:
- rows are claimed with a conditional UPDATE (PushJob.is_runnable: queued, or a timed wait
  whose ``not_before`` has passed), so a batch enqueued twice (a sweep, a retry) sends each
  row once, and a batch that meets rows before their time leaves them to the retry scheduled
  for then;
- an exception from the request as a whole goes through the same ``classify``
  (sync/classify.py) as a single push, and every row of the batch takes its outcome: a rate
  limit or our shared budget makes them wait, and Xero unreachable makes them wait with
  back-off, until their ``not_before`` (the lane holds until then and sends them again); a
  lost grant parks them until someone reconnects;
- when the retries run out (or Xero refuses the whole request, or something unexpected
  happens), every row is ``failed`` with the same plain words as a single push, committed,
  and then the exception is re-raised so RQ records the batch job as failed, exactly as it
  records a single push's;
- an element Xero refused fails only its own row, with Xero's message; a record in a currency
  or with a tax rate the organisation cannot take fails before the call (sync/org_checks.py).
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import sqlalchemy as sa
import sqlalchemy.orm as so
from redis import Redis
from rq import get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job

from xeroapp.extensions import db
from xeroapp.models import BulkPush, Invoice, InvoiceLine, PushJob, XeroConnection
from xeroapp.models.xero import PENDING_PUSH_STATUSES
from xeroapp.models.types import utcnow
from xeroapp.queue import whole_second_after
from xeroapp.sync import messages, org_checks, reconnect
from xeroapp.sync.bulk import lanes, runs
from xeroapp.sync.bulk.senders import SENDERS, BatchContext, Outcome
from xeroapp.sync.classify import Outcome as Stop
from xeroapp.sync.classify import classify, wait_message
from xeroapp.workspaces import time_zone_of
from xeroapp.xero import reference
from xeroapp.xero.client import XeroClient
from xeroapp.xero.http import http_client

log = logging.getLogger(__name__)

# What a sender reads of each record, loaded with the records (one query per relationship
# for the whole batch, not one per record).
EAGER = {"invoice": (so.selectinload(Invoice.client),
                     so.selectinload(Invoice.lines).selectinload(InvoiceLine.product))}


def run_bulk_batch(run_id: int, row_ids: list[int], failures: int = 0) -> dict[str, int] | None:
    """Send the rows of one batch; returns counts for RQ's result (None: nothing to do)."""
    # A batch commits several times (claim, each call's key, the clients it linked) and after
    # each commit would reload its 50 records, their lines and links one query at a time.
    # It needs no fresh copy: it sends the versions it read after claiming the rows (which
    # keeps anyone else from sending them) and records those versions, whatever changed
    # meanwhile.
    session = db.session()
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with http_client() as http:  # one connection to Xero for the batch's calls
            return _run_batch(run_id, row_ids, failures, http)
    finally:
        session.expire_on_commit = expire_on_commit


def _run_batch(run_id: int, row_ids: list[int], failures: int,
               http: httpx.Client) -> dict[str, int] | None:
    run = db.session.get(BulkPush, run_id)
    rows = _claim(row_ids) if run is not None else []
    if run is None or not rows:
        return None
    connection = XeroConnection.usable_for(run.workspace_id)
    if connection is None or connection.needs_reconnect:
        return _park(rows)
    if run.tenant_id != connection.tenant_id:
        return _fail_all(rows, Stop("failed", None, reconnect.OTHER_ORGANISATION))
    pairs = _fit_for(connection, _records(run.record_kind, rows))
    # bulk=True: the budget keeps the last calls of the app's minute for people's pushes.
    client = XeroClient(connection.id, connection.tenant_id, http=http, bulk=True)
    ctx = BatchContext(client, connection, run_id, {record.id: row for row, record in pairs})
    try:
        outcomes = SENDERS[run.record_kind](ctx, [record for _, record in pairs]) if pairs else []
    except Exception as exc:
        stop = classify(exc, record_kind=run.record_kind, action=run.mode, failures=failures)
        counts = _stopped(run_id, rows, stop, failures)
        if stop.refresh_reference:  # Xero blamed a code or rate: read its lists again
            reference.request_refresh(connection)
        if stop.reraise:
            raise
        return counts
    return _record(run, ctx, [row for row, _ in pairs], outcomes)


def _stopped(run_id: int, rows: list[PushJob], stop: Stop, failures: int) -> dict[str, int]:
    """Every row of the batch takes what ``classify`` decided (committed)."""
    if stop.parks:
        return _park(rows)
    if stop.waits:
        return _wait(run_id, rows, stop, failures + (stop.kind != "rate_limit"))
    return _fail_all(rows, stop)


# -- rows ---------------------------------------------------------------------------------------

def _claim(row_ids: list[int]) -> list[PushJob]:
    """Mark the runnable rows ``running`` in one conditional UPDATE: a row another worker
    claimed (or that finished) meanwhile is left out."""
    now = utcnow()
    claimed = db.session.scalars(
        sa.update(PushJob).where(PushJob.id.in_(row_ids), PushJob.is_runnable(now))
        .values(status="running", started_at=now, attempts=PushJob.attempts + 1,
                error_message=None, error_field=None, error_kind=None, not_before=None,
                updated_at=now)
        .returning(PushJob),
        execution_options={"synchronize_session": False, "populate_existing": True})
    rows = sorted(claimed, key=lambda row: row.id)
    db.session.commit()
    return rows


def _records(kind: str, rows: list[PushJob]) -> list[tuple[PushJob, Any]]:
    """(row, record) for rows whose record still exists; the others fail here."""
    model = runs.BULK_MODELS[kind]
    found = {r.id: r for r in db.session.scalars(sa.select(model).where(
        model.id.in_([row.record_id for row in rows])).options(*EAGER.get(kind, ())))}
    pairs = []
    for row in rows:
        record = found.get(row.record_id)
        if record is None or record.workspace_id != row.workspace_id:
            _set(row, "failed", f"This {messages.noun(kind)} was deleted before it could be sent.")
        else:
            row.record_version = record.version  # committed with the first call's key
            pairs.append((row, record))
    if len(pairs) < len(rows):
        db.session.commit()
    return pairs


def _fit_for(connection: XeroConnection, pairs: list[tuple[PushJob, Any]]) -> list[tuple[PushJob, Any]]:
    """The pairs whose record the organisation can take (sync/org_checks.py); the others fail
    here, each with its own reason, and are not sent."""
    fit = []
    org = reference.of_connection(connection)  # once for the batch
    for row, record in pairs:
        refusal = org_checks.problem(record, connection, org)
        if refusal is None:
            fit.append((row, record))
        else:
            _set(row, "failed", str(refusal), refusal.field, refusal.kind)
    if len(fit) < len(pairs):
        db.session.commit()
    return fit


def _set(row: PushJob, status: str, message: str | None, field: str | None = None,
         kind: str | None = None) -> None:
    row.status, row.error_message, row.error_field, row.error_kind = status, message, field, kind
    if status not in PENDING_PUSH_STATUSES:
        row.finished_at = utcnow()


def _record(run: BulkPush, ctx: BatchContext, rows: list[PushJob],
            outcomes: list[Outcome]) -> dict[str, int]:
    """Each row's own outcome, committed with the links the sender made."""
    done = [row for row, outcome in zip(rows, outcomes) if outcome.ok]
    for row, outcome in zip(rows, outcomes):
        if not outcome.ok:
            _set(row, "failed", outcome.message, outcome.field, outcome.kind)
    ctx.links.save()
    if done:  # one UPDATE for them all: the ORM would write each row on its own
        db.session.execute(
            sa.update(PushJob).where(PushJob.id.in_([row.id for row in done]))
            .values(status="done", error_message=None, error_field=None, error_kind=None,
                    finished_at=utcnow()),
            execution_options={"synchronize_session": False})
    db.session.commit()
    for row in done:  # read again if anyone asks
        db.session.expire(row)
    db.session.refresh(run)  # another batch of the run may have finished it meanwhile
    runs.refresh_finished(run)
    return {"sent": len(done), "failed": len(rows) - len(done)}


def _fail_all(rows: list[PushJob], stop: Stop) -> dict[str, int]:
    db.session.rollback()
    for row in rows:
        _set(row, stop.status, stop.message, stop.field, stop.kind)
        row.choices = stop.choices
    db.session.commit()
    _finish_run_of(rows)
    return {"sent": 0, "failed": len(rows)}


def _park(rows: list[PushJob]) -> dict[str, int]:
    """Wait for a person to reconnect (reconnect.resume_after_reconnect resumes the rows)."""
    db.session.rollback()
    for row in rows:
        row.park_for_reconnect()
    db.session.commit()
    return {"waiting": len(rows)}


def _wait(run_id: int, rows: list[PushJob], stop: Stop, failures: int) -> dict[str, int]:
    """Rows ``waiting`` until the wait ends; the organisation's lane (sync/bulk/lanes.py)
    holds until then and sends them again. The worker is free for other work meanwhile.
    ``failures``: consecutive passing faults so far (a rate limit is not one)."""
    resume_at = whole_second_after(utcnow() + timedelta(seconds=stop.wait_seconds))
    message = wait_message(stop, resume_at, time_zone_of(rows[0].workspace_id), failures)
    db.session.rollback()
    for row in rows:
        if stop.kind == "rate_limit":
            row.count_as_rate_limit_wait()
        _set(row, "waiting", message, None, stop.kind)
        row.not_before = resume_at
    db.session.commit()
    # A lane job sending this batch carries on by itself; a batch sent outside the lane
    # (a reconnect's resumed rows) leaves its rows to the lane from here.
    run, job = db.session.get(BulkPush, run_id), get_current_job()
    if run is not None and (job is None or lanes.tenant_of(job.id) is None):
        lanes.wake(run.tenant_id)
    return {"waiting": len(rows)}


def _finish_run_of(rows: list[PushJob]) -> None:
    run_id = rows[0].bulk_push_id if rows else None
    run = db.session.get(BulkPush, run_id) if run_id else None
    if run is not None:
        runs.refresh_finished(run)


# -- for the sweeper and single-push paths -----------------------------------------------------------

def held_row_ids(redis: Redis, job_ids: list[str]) -> set[int]:
    """Row ids carried by the bulk jobs among ``job_ids`` (the sweeper's "held")."""
    held: set[int] = set()
    for job_id in job_ids:
        if not job_id.startswith((runs.JOB_PREFIX, lanes.JOB_PREFIX)):
            continue
        try:
            held.update(rows_carried(Job.fetch(job_id, connection=redis)))
        except NoSuchJobError:
            continue
    return held


def rows_carried(job: Job) -> list[int]:
    """The rows a bulk job is sending: a lane job's current batch (its meta), or an older
    batch job's rows (its arguments); none for any other job."""
    if job.id.startswith(lanes.JOB_PREFIX):
        return [int(row_id) for row_id in job.meta.get(lanes.BATCH_META, ())]
    args = job.args or ()
    if job.id.startswith(runs.JOB_PREFIX) and len(args) >= 2 and isinstance(args[1], list):
        return [int(row_id) for row_id in args[1]]
    return []


def batch_of(row: PushJob) -> list[int]:
    """The rows to send together with ``row``, itself first.

    A row that carries a key was sent before in a batch whose answer never came (a killed
    worker, a lost response): it goes again with exactly the rows that carry the same key,
    in the same order, so the batch is the same request, with the same key, and Xero
    replays the answer it gave (or, after the key's lifetime, the number clash and the
    content lookup find our copies). Mixing it with other rows would make a new request
    that Xero cannot replay. A row never sent goes with up to 49 other rows of its run that
    were never sent either."""
    same_request = (PushJob.idempotency_key == row.idempotency_key if row.idempotency_key
                    else PushJob.idempotency_key.is_(None))
    others = list(db.session.scalars(sa.select(PushJob.id).where(
        PushJob.bulk_push_id == row.bulk_push_id, PushJob.id != row.id, same_request,
        PushJob.is_runnable(utcnow())).order_by(PushJob.id).limit(runs.BATCH_SIZE - 1)))
    return [row.id, *others]


def run_single(row: PushJob) -> dict[str, int] | None:
    """A bulk row reached through the single-push path (a reconnect resuming parked rows):
    sent at once with the rows that belong in its batch (``batch_of``)."""
    return run_bulk_batch(row.bulk_push_id, batch_of(row))
