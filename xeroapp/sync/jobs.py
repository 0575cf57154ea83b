"""The RQ job of one push: ``run_push_job(push_job_id)`` (run by the worker inside the app's
context) loads the PushJob row and the record fresh, pushes the record's current version, and
writes the outcome on the row in the same transaction as the XeroLink, so a push is never
recorded done without its link nor linked without being recorded.

- done: link written, row ``done``.
- stopped by an exception: ``classify`` (sync/classify.py) says what the row becomes (a timed
  wait scheduled again, parked for a reconnect, ambiguous, blocked, failed) and whether the
  exception is re-raised for RQ; the row is written and committed first either way.
- a record deleted meanwhile, or a push meant for an organisation no longer connected:
  ``failed`` before any call.
- a wait (rate limit, back-off) is a new RQ job scheduled for its end (``retry_job_id``),
  carrying the count of consecutive failures so far; a worker never sleeps through it.

Every retry re-runs ``_start``, which keeps the Idempotency-Key the row carries for the
record's version (or takes that of an earlier push of the version that never got Xero's
answer: sync/context.key_for), so a call Xero applied before its answer was lost is
replayed, whichever path sends it again.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Callable

from redis.exceptions import RedisError

from xeroapp.extensions import db
from xeroapp.models import Client, Invoice, PurchaseOrder, Supplier
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.queue import get_queue, whole_second_after
from xeroapp.sync import (contacts, invoices, messages, missing_products, org_checks, outbox,
                          purchase_orders, reconnect)
from xeroapp.sync.bulk import jobs as bulk_jobs
from xeroapp.sync.classify import Outcome, classify, wait_message
from xeroapp.sync.context import PushContext, key_for
from xeroapp.workspaces import time_zone_of
from xeroapp.xero import reference
from xeroapp.xero.client import XeroClient

log = logging.getLogger(__name__)

Pusher = Callable[[PushContext, Any], XeroLink | None]

# record kind -> (model, push function): what a single push can send. The missing-products
# dialog's creation is one too: its record is the order the products are for (so the order's
# currency and tax checks refuse it before any item is made for an order Xero cannot take).
PUSHERS: dict[str, tuple[type, Pusher]] = {
    "client": (Client, contacts.push),
    "supplier": (Supplier, contacts.push),
    "invoice": (Invoice, invoices.push),
    "purchase_order": (PurchaseOrder, purchase_orders.push),
    missing_products.KIND: (PurchaseOrder, missing_products.push),
}


def retry_job_id(push_job_id: int, attempt: int) -> str:
    """The RQ id of a scheduled retry: not ``push-<id>`` itself, which is still the job
    running now and would be overwritten when it finishes."""
    return f"{outbox.rq_job_id(push_job_id)}-retry-{attempt}"


def run_push_job(push_job_id: int, failures: int = 0) -> str | None:
    """Push one PushJob's record to Xero; returns the final status (for RQ's result).
    ``failures``: consecutive passing faults before this run (0 on a click or a sweep)."""
    job = db.session.get(PushJob, push_job_id)
    if job is None or not job.is_runnable(utcnow()):
        # Already done, parked for a reconnect, or waiting for a time not come yet (a sweep's
        # job, or a batch's, reaching the row during its back-off): the retry scheduled for
        # that time sends it, and the sweeper does if that retry is lost. Nothing to do here.
        return None
    if job.bulk_push_id is not None:  # part of a bulk run: sent in a batch (sync/bulk/jobs.py)
        bulk_jobs.run_single(job)
        return db.session.get(PushJob, push_job_id).status
    model, pusher = PUSHERS[job.record_kind]
    record = db.session.get(model, job.record_id)
    if record is None or record.workspace_id != job.workspace_id:
        return _finish(job, "failed", f"This {messages.noun(job.record_kind)} was deleted "
                                      "before it could be sent.")
    connection = XeroConnection.usable_for(job.workspace_id)
    if connection is None or connection.needs_reconnect:
        return _park(job)
    if job.tenant_id not in (None, connection.tenant_id):
        return _finish(job, "failed", reconnect.OTHER_ORGANISATION)
    _start(job, record, connection)
    ctx = PushContext(job, connection, XeroClient(connection.id, connection.tenant_id))
    try:
        org_checks.check(record, connection)  # a currency or tax rate it cannot take: no call
        pusher(ctx, record)
    except Exception as exc:
        outcome = classify(exc, record_kind=job.record_kind, action=job.action,
                           failures=failures)
        status = _stopped(job, outcome, failures)
        if outcome.refresh_reference:  # its settings changed in Xero: read them again
            reference.request_refresh(connection)
        if outcome.reraise:
            raise
        return status
    return _finish(job, "done", None)


def _stopped(job: PushJob, outcome: Outcome, failures: int) -> str:
    """Write what ``classify`` decided on the row (committed)."""
    if outcome.parks:
        return _park(job)
    if outcome.waits:
        return _wait(job, outcome, failures + (outcome.kind != "rate_limit"))
    if outcome.choices is not None:
        db.session.rollback()
        job.choices = outcome.choices
        if outcome.status == "ambiguous":  # the choice made before did not settle it
            job.contact_choice = None
    return _finish(job, outcome.status, outcome.message, field=outcome.field, kind=outcome.kind)


def _start(job: PushJob, record: Any, connection: XeroConnection) -> None:
    """Mark the row running and store the Idempotency-Key BEFORE any call to Xero."""
    link = db.session.scalar(db.select(XeroLink).filter_by(
        workspace_id=job.workspace_id, record_kind=job.record_kind, record_id=job.record_id,
        tenant_id=connection.tenant_id))
    job.action = "update" if link is not None else "send"
    job.tenant_id = connection.tenant_id
    job.record_version = record.version
    job.status, job.started_at = "running", utcnow()
    job.attempts = (job.attempts or 0) + 1  # a rate limit moves it to rate_limit_waits
    job.error_message = job.error_field = job.error_kind = None
    job.not_before = None
    job.idempotency_key = key_for(job, record.version)
    db.session.commit()


def _finish(job: PushJob, status: str, message: str | None, *, field: str | None = None,
            kind: str | None = None) -> str:
    """Write the outcome; a success commits together with the link and line ids written by
    the pusher, a failure drops whatever the failed step left uncommitted."""
    if status != "done":
        choices, choice = job.choices, job.contact_choice
        db.session.rollback()
        job.choices, job.contact_choice = choices, choice
    job.status, job.finished_at = status, utcnow()
    job.error_message, job.error_field, job.error_kind = message, field, kind
    if status == "done":
        job.choices = None
    db.session.commit()
    return status


def _park(job: PushJob) -> str:
    """Wait for a person to reconnect Xero (reconnect.resume_after_reconnect picks it up)."""
    db.session.rollback()
    job.park_for_reconnect()
    db.session.commit()
    return "waiting"


def _wait(job: PushJob, outcome: Outcome, failures: int) -> str:
    """Row ``waiting`` until the wait ends and the same push scheduled for then, as a new RQ
    job (the current one is still running). A worker never sleeps through the wait.
    ``failures``: consecutive passing faults so far (a rate limit is not one)."""
    resume_at = whole_second_after(utcnow() + timedelta(seconds=outcome.wait_seconds))
    message = wait_message(outcome, resume_at, time_zone_of(job.workspace_id), failures)
    db.session.rollback()
    if outcome.kind == "rate_limit":
        job.count_as_rate_limit_wait()
    job.status, job.not_before = "waiting", resume_at
    job.error_message, job.error_kind, job.error_field = message, outcome.kind, None
    db.session.commit()
    try:
        get_queue().enqueue_at(resume_at, outbox.PUSH_FUNCTION, job.id, failures,
                               job_id=retry_job_id(job.id, job.tries))
    except RedisError:  # the row still says waiting; the sweeper enqueues it once it is due
        log.warning("push job %s: could not schedule its retry", job.id)
    return "waiting"
