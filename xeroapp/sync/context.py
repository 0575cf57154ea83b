"""What one running push carries between its steps (contact first, then the document)."""
from __future__ import annotations

from dataclasses import dataclass

from xeroapp.extensions import db
from xeroapp.models.xero import PushJob, XeroConnection
from xeroapp.xero.client import XeroClient

MAX_KEY_LENGTH = 128  # Xero's limit on Idempotency-Key


def idempotency_key(job: PushJob, version: int) -> str:
    """Derived from the record, its version, the action and the push row.

    A retry of the same push (429, lost response) repeats the key, so Xero replays instead
    of creating twice; an edit (new version) or a new click (new row) is a new request.
    """
    return f"xa-{job.record_kind}-{job.record_id}-v{version}-{job.action}-p{job.id}"


@dataclass
class PushContext:
    job: PushJob
    connection: XeroConnection
    xero: XeroClient

    @property
    def tenant_id(self) -> str:
        return self.connection.tenant_id

    def key(self, step: str) -> str:
        """One key per call of this push: each step sends a different request."""
        return f"{self.job.idempotency_key}-{step}"[:MAX_KEY_LENGTH]

    def commit_step(self) -> None:
        """Keep what Xero has confirmed so far (a link), even if a later step fails: the
        contact created for an invoice stays linked when the invoice itself is rejected."""
        db.session.commit()
