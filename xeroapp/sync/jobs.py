"""RQ job functions of the push engine (run by the worker inside the app's context).

``run_push_job(push_job_id)`` loads the PushJob row and the record fresh, pushes the record's
current version, and writes the outcome on the row in the same transaction as the XeroLink
(DESIGN.md §1). What happens on each kind of answer:

- done: link written, row ``done``.
- 429, or our own budget (xero/budget.py) saying "not before T": row ``waiting`` until
  Retry-After / T, and the same push scheduled again for then (RQ's scheduler; the worker
  runs with it). Nothing is raised: the push is not over, and a worker never sleeps on it.
- Xero unreachable / 5xx / timeout / dropped connection: row ``waiting`` (error_kind
  ``unreachable``) and scheduled again with exponential backoff (sync/retries.py); after the
  last attempt ``failed`` with a plain message, and re-raised so RQ records the failure.
  Each retry is a new RQ job (``retry_job_id``) carrying the count of failures so far.
- needs reconnecting / not connected: row parked (outbox.RECONNECT_REASON); reconnecting
  resumes it.
- several contacts with the name: row ``ambiguous`` with the candidates for the panel.
- products of a purchase order missing in Xero: row ``blocked`` with them in ``choices``
  (error_kind products_missing); the missing-products dialog creates them and pushes again.
- locked in Xero / gone from Xero: row ``failed`` with the reason; nothing to retry blindly.
- a lookup Xero's servers refused as too long (a 404 page of theirs): row ``failed`` saying so.
- a currency or tax rate the organisation cannot take (sync/org_checks.py, before any call):
  row ``failed`` with what to change.
- validation error: row ``failed`` with Xero's words and the field; re-raised so RQ records
  the failure too.
- anything unexpected: row ``failed``; re-raised.

Every retry re-runs ``_start``, which keeps the Idempotency-Key the row carries for the
record's version (or takes that of an earlier push of the version that never got Xero's
answer: sync/context.key_for), so a call Xero applied before its answer was lost is
replayed, whichever path sends it again.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from redis.exceptions import RedisError

from xeroapp.extensions import db
from xeroapp.models import Client, Invoice, PurchaseOrder, Supplier
from xeroapp.models.types import utcnow
from xeroapp.models.xero import PushJob, XeroConnection, XeroLink
from xeroapp.queue import get_queue, whole_second_after
from xeroapp.sync import (bulk_jobs, contacts, invoices, messages, org_checks, outbox,
                          purchase_orders, retries)
from xeroapp.sync.context import PushContext, key_for
from xeroapp.sync.outcomes import AmbiguousContact, PushStopped
from xeroapp.sync.items import ProductsMissing
from xeroapp.workspaces import time_zone_of
from xeroapp.xero import reference
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import (NotConnected, QueryTooLong, RateLimited, ReconnectRequired,
                                 TransportError, Unavailable, ValidationError)

log = logging.getLogger(__name__)

Pusher = Callable[[PushContext, Any], XeroLink]

# record kind -> (model, push function). Issue 5 adds purchase orders (and products) here.
PUSHERS: dict[str, tuple[type, Pusher]] = {
    "client": (Client, contacts.push),
    "supplier": (Supplier, contacts.push),
    "invoice": (Invoice, invoices.push),
    "purchase_order": (PurchaseOrder, purchase_orders.push),
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
    if job.bulk_push_id is not None:  # part of a bulk run: sent in a batch (sync/bulk_jobs.py)
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
        return _finish(job, "failed", outbox.OTHER_ORGANISATION)
    _start(job, record, connection)
    ctx = PushContext(job, connection, XeroClient(connection.id, connection.tenant_id))
    try:
        org_checks.check(record, connection)  # a currency or tax rate it cannot take: no call
        pusher(ctx, record)
    except RateLimited as exc:  # Xero's 429, or our budget's "not before" (OverBudget)
        return _wait_for_limit(job, exc, failures)
    except (ReconnectRequired, NotConnected):
        return _park(job)
    except AmbiguousContact as exc:
        db.session.rollback()
        job.choices = exc.candidates
        job.contact_choice = None
        return _finish(job, "ambiguous", str(exc), field=exc.field, kind=exc.kind)
    except ProductsMissing as exc:  # the missing-products dialog takes over (issue 5)
        db.session.rollback()
        job.choices = exc.missing
        return _finish(job, "blocked", str(exc), field=exc.field, kind=exc.kind)
    except PushStopped as exc:
        return _finish(job, "failed", str(exc), field=exc.field, kind=exc.kind)
    except QueryTooLong as exc:  # an answer, not a crash: say so plainly
        return _finish(job, "failed", messages.search_refused(exc, job.record_kind),
                       kind="unreachable")
    except ValidationError as exc:
        if reference.blames_reference(str(exc)):  # its settings changed in Xero: read them again
            reference.request_refresh(connection)
        text, field = messages.validation(exc, job.record_kind)
        _finish(job, "failed", text, field=field, kind="validation")
        raise
    except (TransportError, Unavailable) as exc:
        if retries.can_retry(failures + 1):
            return _retry_later(job, exc, failures + 1)
        _finish(job, "failed", retries.gave_up_message(exc, job.record_kind, job.action),
                kind="unreachable")
        raise
    except Exception:
        _finish(job, "failed", messages.unexpected(job.record_kind), kind="unreachable")
        raise
    return _finish(job, "done", None)


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
    """Wait for a person to reconnect Xero (outbox.resume_after_reconnect picks it up)."""
    db.session.rollback()
    job.status, job.error_message, job.not_before = "waiting", outbox.RECONNECT_REASON, None
    job.error_kind = job.error_field = None
    db.session.commit()
    return "waiting"


def _wait_for_limit(job: PushJob, exc: RateLimited, failures: int) -> str:
    resume_at = whole_second_after(utcnow() + timedelta(seconds=max(exc.retry_after, 1.0)))
    return _wait(job, resume_at, messages.rate_limited(resume_at, time_zone_of(job.workspace_id)),
                 "rate_limit", failures)


def _retry_later(job: PushJob, exc: TransportError | Unavailable, failures: int) -> str:
    resume_at = whole_second_after(utcnow() + timedelta(seconds=retries.delay(failures)))
    return _wait(job, resume_at, retries.retrying_message(exc, failures, resume_at,
                                                          time_zone_of(job.workspace_id)),
                 "unreachable", failures)


def _wait(job: PushJob, resume_at: datetime, message: str, kind: str, failures: int) -> str:
    """Row ``waiting`` until ``resume_at`` and the same push scheduled for then, as a new RQ
    job (the current one is still running). A worker never sleeps through the wait."""
    db.session.rollback()
    if kind == "rate_limit":
        job.count_as_rate_limit_wait()
    job.status, job.not_before = "waiting", resume_at
    job.error_message, job.error_kind, job.error_field = message, kind, None
    db.session.commit()
    try:
        get_queue().enqueue_at(resume_at, outbox.PUSH_FUNCTION, job.id, failures,
                               job_id=retry_job_id(job.id, job.tries))
    except RedisError:  # the row still says waiting; the sweeper enqueues it once it is due
        log.warning("push job %s: could not schedule its retry", job.id)
    return "waiting"
