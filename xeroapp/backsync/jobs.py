"""The RQ jobs of back-sync (queued on queueing.LOW_QUEUE; the worker gives each an app
context). A read put off (to leave calls to pushes, or Xero's rate limit) is scheduled again
under its own name rather than sleeping in the worker; what it had not committed is read
again then."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from xeroapp.backsync import fetch, poll, queueing
from xeroapp.backsync.reading import PutOff
from xeroapp.extensions import db
from xeroapp.models.types import utcnow
from xeroapp.queue import whole_second_after
from xeroapp.xero.errors import RateLimited

log = logging.getLogger(__name__)


def read_back(tenant_id: str) -> int | None:
    """Read back what the organisation's webhook events announced."""
    return _run(fetch.read_back, (tenant_id,), queueing.READ_BACK, queueing.read_back_id(tenant_id))


def read_one(workspace_id: int, kind: str, record_id: int) -> bool | None:
    """Check Xero now, for one record."""
    return _run(fetch.read_one, (workspace_id, kind, record_id), queueing.READ_ONE,
                queueing.read_one_id(kind, record_id))


def poll_organisation(workspace_id: int) -> int | None:
    """Check Xero now, or the periodic poll, for one workspace's organisation."""
    return _run(poll.poll_organisation, (workspace_id,), queueing.POLL,
                queueing.poll_id(workspace_id))


def _run(step, args: tuple[Any, ...], function: str, job_id: str):
    try:
        return step(*args)
    except (PutOff, RateLimited) as exc:
        db.session.rollback()
        seconds = exc.seconds if isinstance(exc, PutOff) else (exc.retry_after or 60.0)
        at = whole_second_after(utcnow() + timedelta(seconds=seconds))
        queueing.enqueue_once(function, *args, job_id=f"{job_id}-later", at=at)
        log.info("%s put off until %s", job_id, at.isoformat())
        return None
