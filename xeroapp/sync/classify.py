"""What a push does when pushing stops with an exception: ``classify(exc) -> Outcome``, the one
policy of the single job (sync/jobs.py) and the bulk batch (sync/bulk/jobs.py).

- 429, or our own budget (xero/budget.py) saying "not before T": a timed wait
  (``rate_limit``); scheduled again for then, never slept through.
- Xero unreachable / 5xx / timeout / dropped connection: a timed wait (``unreachable``) with
  exponential back-off (sync/retries.py) while attempts remain. When they run out, the
  push is ``failed`` with plain words on what may have happened in Xero, and the exception
  is re-raised so that RQ records the job as failed too: after ten minutes of a Xero outage
  someone running the app should see it, not only the person at the panel. A bulk batch does
  exactly the same for all its rows (they fail together, then the batch job fails).
- needs reconnecting / not connected: parked until a person reconnects (``reconnect``).
- several contacts with the name: ``ambiguous``, with the candidates for the panel's choice.
- products of a purchase order missing in Xero: ``blocked``, with them in ``choices`` for the
  missing-products dialog.
- rows of that dialog Xero refused (sync/missing_products.py): ``failed``, with each refused
  row and Xero's words in ``choices``, for the dialog to show on their rows.
- any other PushStopped (locked or gone in Xero, a currency or tax rate the organisation
  cannot take): ``failed`` with the reason; nothing to retry blindly, nothing raised.
- a lookup Xero's servers refused as too long: ``failed`` saying so, nothing raised.
- validation error: ``failed`` with Xero's words and the field Xero blamed; re-raised (RQ
  records it: a refusal the app could have prevented is worth a look). When Xero blames an
  account code or tax rate, the organisation's lists are read again.
- anything unexpected (``UNEXPECTED``): ``failed``; re-raised.

Whatever the outcome, the job writes it on its row(s) and commits before re-raising, so the
PushJob row always tells the truth, whatever RQ does with the exception.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from xeroapp.models.xero import RECONNECT_WAIT
from xeroapp.sync import messages, retries
from xeroapp.sync.items import ProductsMissing
from xeroapp.sync.missing_products import ItemsRefused
from xeroapp.sync.outcomes import AmbiguousContact, PushStopped
from xeroapp.xero import reference
from xeroapp.xero.errors import (NotConnected, QueryTooLong, RateLimited, ReconnectRequired,
                                 TransportError, Unavailable, ValidationError)

RATE_LIMIT, UNREACHABLE = "rate_limit", "unreachable"


@dataclass(frozen=True)
class Outcome:
    """What the row(s) of a push become. A timed wait (``wait_seconds`` set) gets its message
    from ``wait_message`` once the job knows when it resumes."""

    status: str  # waiting, failed, ambiguous or blocked
    kind: str | None  # stored as PushJob.error_kind
    message: str | None = None
    field: str | None = None
    wait_seconds: float | None = None
    choices: list[Any] | None = None  # PushJob.choices: contacts to choose, products missing
    reraise: bool = False
    refresh_reference: bool = False  # Xero blamed a code or rate: read its lists again
    cause: Exception | None = None

    @property
    def parks(self) -> bool:
        return self.kind == RECONNECT_WAIT

    @property
    def waits(self) -> bool:
        return self.wait_seconds is not None


# Anything not classified below: failed with a plain apology, and re-raised for the logs.
UNEXPECTED = Outcome("failed", UNREACHABLE, reraise=True)


def classify(exc: Exception, *, record_kind: str, action: str, failures: int) -> Outcome:
    """The outcome of a push of ``record_kind`` (``action`` send or update) that raised
    ``exc`` after ``failures`` consecutive passing faults before this run."""
    if isinstance(exc, RateLimited):
        return Outcome("waiting", RATE_LIMIT, wait_seconds=max(exc.retry_after, 1.0), cause=exc)
    if isinstance(exc, (ReconnectRequired, NotConnected)):
        return Outcome("waiting", RECONNECT_WAIT, cause=exc)
    if isinstance(exc, AmbiguousContact):
        return Outcome("ambiguous", exc.kind, str(exc), exc.field, choices=exc.candidates)
    if isinstance(exc, ProductsMissing):
        return Outcome("blocked", exc.kind, str(exc), exc.field, choices=exc.missing)
    if isinstance(exc, ItemsRefused):
        return Outcome("failed", exc.kind, str(exc), exc.field, choices=exc.rows)
    if isinstance(exc, PushStopped):
        return Outcome("failed", exc.kind, str(exc), exc.field)
    if isinstance(exc, QueryTooLong):
        return Outcome("failed", UNREACHABLE, messages.search_refused(exc, record_kind))
    if isinstance(exc, ValidationError):
        text, field = messages.validation(exc, record_kind)
        return Outcome("failed", "validation", text, field, reraise=True,
                       refresh_reference=reference.blames_reference(str(exc)))
    if isinstance(exc, (TransportError, Unavailable)):
        if retries.can_retry(failures + 1):
            return Outcome("waiting", UNREACHABLE, wait_seconds=retries.delay(failures + 1),
                           cause=exc)
        return Outcome("failed", UNREACHABLE, retries.gave_up_message(exc, record_kind, action),
                       reraise=True)
    return replace(UNEXPECTED, message=messages.unexpected(record_kind))


def wait_message(outcome: Outcome, resume_at: datetime, time_zone: str, failures: int) -> str:
    """The panel's words for a timed wait that ends at ``resume_at`` (``failures``: the
    consecutive passing faults so far, this one included)."""
    if outcome.kind == RATE_LIMIT:
        return messages.rate_limited(resume_at, time_zone)
    return retries.retrying_message(outcome.cause, failures, resume_at, time_zone)
