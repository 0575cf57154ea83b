"""What one running push carries between its steps (contact first, then the document), and
the Idempotency-Keys its calls go with."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.xero.client import XeroClient

MAX_KEY_LENGTH = 128  # Xero's limit on Idempotency-Key


def idempotency_key(job: PushJob, version: int) -> str:
    """A new key for this push of this version: the record, its version, the action and the
    push row. An edit (new version) is a new request; so is a new push after one that got
    Xero's answer."""
    return f"{_prefix(job, version)}{job.id}"


def key_for(job: PushJob, version: int) -> str:
    """The key this push sends its record's ``version`` with.

    A retry, a sweep after a dead worker or a reconnect re-runs the same row: it keeps the
    key the row already carries for this version. A new push of the same version after one
    that ended without Xero's answer (Retry after "could not be reached", a crash) takes
    that push's key: its create may have reached Xero, and within the key's lifetime Xero
    then replays instead of creating a second copy. A push that got its answer (done) is
    never followed that way: sending the same version again is then a new request.
    (Rows of a bulk run carry batch keys, for a whole batch's body: never taken here.)"""
    prefix = _prefix(job, version)
    if job.idempotency_key and job.idempotency_key.startswith(prefix):
        return job.idempotency_key
    earlier = db.session.scalar(sa.select(PushJob.idempotency_key).where(
        PushJob.workspace_id == job.workspace_id, PushJob.record_kind == job.record_kind,
        PushJob.record_id == job.record_id, PushJob.tenant_id == job.tenant_id,
        PushJob.id != job.id, PushJob.status != "done",
        PushJob.idempotency_key.startswith(prefix, autoescape=True))
        .order_by(PushJob.id.desc()).limit(1))
    return earlier or idempotency_key(job, version)


def _prefix(job: PushJob, version: int) -> str:
    return f"xa-{job.record_kind}-{job.record_id}-v{version}-{job.action}-p"


@dataclass
class PushContext:
    job: PushJob
    connection: XeroConnection
    xero: XeroClient

    @property
    def tenant_id(self) -> str:
        return self.connection.tenant_id

    def key(self, step: str, *request: Any) -> str:
        """The key of one call of this push: the push's key, the step, and a digest of what
        the call sends (the id in its URL, its body). The same request sent again repeats
        it, so Xero replays; a different one (the organisation's settings changed between
        two tries, a contact relinked) gets a key of its own, where reusing the key would
        earn Xero's 400 "used with a different request"."""
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode())
        return f"{self.job.idempotency_key}-{step}-{digest.hexdigest()[:12]}"[:MAX_KEY_LENGTH]

    def commit_step(self) -> None:
        """Keep what Xero has confirmed so far (a link), even if a later step fails: the
        contact created for an invoice stays linked when the invoice itself is rejected."""
        db.session.commit()
