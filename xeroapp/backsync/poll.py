"""Polling: each connected organisation is asked what changed since the last poll.

Webhooks carry contacts and invoices only, and a delivery Xero gave up on (the app was down
for a day) is lost; polling catches both. ``poll_organisation(workspace_id)`` asks, for
Invoices, Contacts and PurchaseOrders, ``If-Modified-Since`` the resource's PollMark, in
pages ordered by UpdatedDateUTC until a short page, applies what is linked here (apply.py:
the same rules as webhooks, so reading a version twice changes nothing) and moves the mark
to the highest UpdatedDateUTC seen, page by page, so a poll cut short resumes there.

A resource's first poll starts shortly before the workspace's oldest link to it: nothing
older can concern a linked record, and an organisation's whole history is not paged
through. With no link yet, there is nothing to ask.

Scheduling: ``tick`` runs every POLL_INTERVAL_SECONDS on the low queue (a self-rescheduling
job, like the push sweeper) and queues one poll per connected organisation, plus a read of
webhook events left unread (Redis was down when they came, or their job failed).
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from flask import current_app

from xeroapp.backsync import queueing, reading, xero_dates
from xeroapp.backsync.apply import RESOURCES
from xeroapp.backsync.inserts import insert_new
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.models.xero import XeroConnection, XeroLink
from xeroapp.models.xero_side import PollMark, WebhookEvent
from xeroapp.queue import get_queue, get_redis
from xeroapp.xero.client import XeroClient

log = logging.getLogger(__name__)

POLLED = ("Invoices", "Contacts", "PurchaseOrders")
PAGE_SIZE = 100  # Xero's page of Invoices, Contacts and PurchaseOrders
# Pages per resource per poll: a backlog larger than this is read over the next polls.
MAX_PAGES = 20
# How long before its oldest link a resource's first poll starts.
FIRST_POLL_MARGIN = timedelta(hours=1)
# Asked a little before the mark: Xero compares to the second, and re-reading a version is
# harmless.
OVERLAP = timedelta(seconds=1)
EXTRA_PARAMS = {"Contacts": {"includeArchived": "true"}}
# Unread webhook events older than this are read by the tick (their own job went missing).
EVENT_GRACE = timedelta(minutes=1)

TICK_FUNCTION = "xeroapp.backsync.poll.tick"
TICK_JOB_PREFIX = "xero-poll-tick-"
CHAIN_KEY = "xeroapp:backsync-poll:scheduled"


def poll_organisation(workspace_id: int) -> int:
    """Poll the workspace's organisation; the number of links moved on. Raises
    reading.PutOff when it stopped to leave calls to pushes (marks keep what was read)."""
    connection = XeroConnection.usable_for(workspace_id)
    if connection is None or connection.needs_reconnect:
        return 0
    client = XeroClient(connection.id, connection.tenant_id)
    return sum(poll_resource(client, workspace_id, connection.tenant_id, resource)
               for resource in POLLED)


def poll_resource(client: XeroClient, workspace_id: int, tenant_id: str, resource: str) -> int:
    mark = _mark(workspace_id, tenant_id, resource)
    since = mark.modified_since or _first_since(workspace_id, tenant_id, resource)
    if since is None:
        mark.polled_at = utcnow()
        db.session.commit()
        return 0
    moved = 0
    for page in range(1, MAX_PAGES + 1):
        reading.leave_room_for_pushes(client)
        params = {**EXTRA_PARAMS.get(resource, {}), "order": "UpdatedDateUTC ASC", "page": str(page)}
        answer = client.accounting("GET", resource, params=params,
                                   if_modified_since=xero_dates.if_modified_since(since - OVERLAP))
        objects = answer.get(resource) or []
        id_field = RESOURCES[resource][0]
        links = reading.links_to(tenant_id, resource,
                                 [o[id_field] for o in objects if isinstance(o.get(id_field), str)],
                                 workspace_id=workspace_id)
        moved += reading.apply_answer(resource, objects, links)
        highest = max((m for o in objects if (m := xero_dates.moment(o.get("UpdatedDateUTC")))),
                      default=None)
        if highest is not None and (mark.modified_since is None or highest > mark.modified_since):
            mark.modified_since = highest
        mark.polled_at = utcnow()
        db.session.commit()
        if _last_page(answer, page, len(objects)):
            break
    return moved


def _last_page(answer: dict, page: int, count: int) -> bool:
    pagination = answer.get("pagination")
    if isinstance(pagination, dict) and isinstance(pagination.get("pageCount"), int):
        return page >= pagination["pageCount"]
    return count < PAGE_SIZE


def _mark(workspace_id: int, tenant_id: str, resource: str) -> PollMark:
    insert_new(PollMark, [{"workspace_id": workspace_id, "tenant_id": tenant_id,
                           "resource": resource, "modified_since": None, "polled_at": None}])
    return db.session.scalar(sa.select(PollMark).filter_by(
        workspace_id=workspace_id, tenant_id=tenant_id, resource=resource))


def _first_since(workspace_id: int, tenant_id: str, resource: str) -> datetime | None:
    oldest = db.session.scalar(sa.select(sa.func.min(XeroLink.linked_at)).where(
        XeroLink.workspace_id == workspace_id, XeroLink.tenant_id == tenant_id,
        XeroLink.record_kind.in_(RESOURCES[resource][1])))
    if oldest is None:
        return None
    if oldest.tzinfo is None:  # min() of a column comes back as stored (naive UTC)
        oldest = oldest.replace(tzinfo=timezone.utc)
    return oldest - FIRST_POLL_MARGIN


# -- the periodic tick ------------------------------------------------------------------------

def tick() -> int:
    """RQ job: queue a poll of every connected organisation and a read of events left unread;
    then schedule the next tick (even if this one failed). The number of jobs queued."""
    try:
        return enqueue_polls() + enqueue_unread_events()
    finally:
        _schedule_next()


def enqueue_polls() -> int:
    workspace_ids = db.session.scalars(sa.select(XeroConnection.workspace_id).where(
        XeroConnection.refresh_token_encrypted.is_not(None),
        XeroConnection.needs_reconnect.is_(False))).all()
    return sum(queueing.enqueue_once(queueing.POLL, workspace_id,
                                     job_id=queueing.poll_id(workspace_id))
               for workspace_id in workspace_ids)


def enqueue_unread_events() -> int:
    tenants = db.session.scalars(sa.select(WebhookEvent.tenant_id).where(
        WebhookEvent.processed_at.is_(None), WebhookEvent.received_at < utcnow() - EVENT_GRACE)
        .distinct()).all()
    return sum(queueing.enqueue_once(queueing.READ_BACK, tenant_id,
                                     job_id=queueing.read_back_id(tenant_id))
               for tenant_id in tenants)


def interval() -> timedelta:
    return timedelta(seconds=int(current_app.config["POLL_INTERVAL_SECONDS"]))


def ensure_periodic_poll() -> bool:
    """Start the chain of ticks unless one is scheduled; True if started. Called where the
    push sweep's chain is (a worker with the scheduler), for the same reasons."""
    if not get_redis().set(CHAIN_KEY, "1", nx=True, ex=_chain_ttl()):
        return False
    get_queue(queueing.LOW_QUEUE).enqueue(
        TICK_FUNCTION, job_id=f"{TICK_JOB_PREFIX}{utcnow().timestamp():.0f}",
        result_ttl=0, failure_ttl=3600)
    return True


def _schedule_next() -> None:
    get_redis().set(CHAIN_KEY, "1", ex=_chain_ttl())
    queue = get_queue(queueing.LOW_QUEUE)
    if any(job_id.startswith(TICK_JOB_PREFIX)
           for job_id in queue.scheduled_job_registry.get_job_ids()):
        return
    run_at = utcnow() + interval()
    queue.enqueue_at(run_at, TICK_FUNCTION, job_id=f"{TICK_JOB_PREFIX}{run_at.timestamp():.0f}",
                     result_ttl=0, failure_ttl=3600)


def _chain_ttl() -> int:
    """The chain is presumed lost if no tick ran for three intervals."""
    return int(interval().total_seconds() * 3)
