"""The low-priority queue of back-sync jobs, and enqueueing that coalesces.

Workers listen on RQ_QUEUES in order ("xero" first), so a person's Send never waits behind a
read back. A job is named after what it reads (``xero-read-<tenant>``, ``xero-poll-<id>``): a
burst of webhooks, or a double click on Check Xero now, queues one job, not one per request.
Each job reads whatever is outstanding when it runs, so one still queued covers a later
request too; one already running may have read its list before the new request's rows were
committed, so a single follow-up is queued behind it.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from xeroapp.queue import RedisNotConfigured, get_queue

log = logging.getLogger(__name__)

LOW_QUEUE = "xero-low"
READ_BACK = "xeroapp.backsync.jobs.read_back"
READ_ONE = "xeroapp.backsync.jobs.read_one"
POLL = "xeroapp.backsync.jobs.poll_organisation"
# Statuses of a job that has not started: it will still see what is committed now.
NOT_STARTED = ("queued", "scheduled", "deferred")


def read_back_id(tenant_id: str) -> str:
    return f"xero-read-{tenant_id}"


def poll_id(workspace_id: int) -> str:
    return f"xero-poll-{workspace_id}"


def read_one_id(kind: str, record_id: int) -> str:
    return f"xero-read-one-{kind}-{record_id}"


def enqueue_once(function: str, *args: Any, job_id: str, at: datetime | None = None) -> bool:
    """Queue ``function(*args)`` as ``job_id`` unless such a job waits already (then that one
    does the work); ``at``: not before then. True when a job was queued. Redis down: False
    and a warning; what was committed stays outstanding for the next periodic tick."""
    try:
        queue = get_queue(LOW_QUEUE)
        status = _status(queue.connection, job_id)
        if status in NOT_STARTED:
            return False
        if status == "started":  # it may have read its list already: one follow-up
            job_id = f"{job_id}-again"
            status = _status(queue.connection, job_id)
            if status in NOT_STARTED or status == "started":
                return False
        if status is not None:
            Job.fetch(job_id, connection=queue.connection).delete()
        if at is not None:
            queue.enqueue_at(at, function, *args, job_id=job_id, result_ttl=60, failure_ttl=3600)
        else:
            queue.enqueue(function, *args, job_id=job_id, result_ttl=60, failure_ttl=3600)
        return True
    except (RedisError, RedisNotConfigured):
        log.warning("could not queue %s: Redis unavailable", job_id)
        return False


def _status(connection, job_id: str) -> str | None:
    try:
        status = Job.fetch(job_id, connection=connection).get_status()
    except NoSuchJobError:
        return None
    return getattr(status, "value", status)
