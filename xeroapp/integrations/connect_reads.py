"""The reads that follow a connect: the organisation (its name, ShortCode and base currency)
with its lists (currencies, tax rates, accounts: xero.reference), and the document numbers it
already holds (org_numbers).

The callback makes them while Xero answers. Once Xero asks us to slow down (429, or our own
call budget saying "not before"), is unavailable (5xx) or does not answer (timeout, dropped
connection), the callback makes no further call: the connection is stored all the same (its
tokens, encrypted, and the name Xero's /connections gave), and ``finish_job`` reads what is
left on the queue, at the Retry-After or after a back-off. Until then pages show the name
from /connections and no "View in Xero" link (that needs the ShortCode); pushes already work
(without the lists, Xero's own answer decides, as for a connection older than them).

How long the callback may wait for a 429: at most SHORT_WAIT seconds in all, once per read.
A person is looking at the callback, which already makes up to eight calls, and a web
thread (four per process) is held while it sleeps. Xero's Retry-After is in whole seconds:
1-2 s is what a burst of concurrent calls (5 in flight) earns, and waiting that long gets the
person a complete connection for a second or two more; a minute-limit 429 says up to 60 s
and a daily one hours, far too long to hold a page, so those go to the queue.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from redis.exceptions import RedisError

from xeroapp.currencies import CURRENCIES
from xeroapp.extensions import db
from xeroapp.integrations import org_numbers
from xeroapp.models.types import utcnow
from xeroapp.models.workspace import Workspace
from xeroapp.models.xero import XeroConnection
from xeroapp.queue import get_queue
from xeroapp.sync import retries
from xeroapp.timezones import clock_time
from xeroapp.workspaces import time_zone_of
from xeroapp.xero import reference
from xeroapp.xero.client import XeroClient
from xeroapp.xero.errors import RateLimited, TransportError, Unavailable, XeroError

log = logging.getLogger(__name__)

T = TypeVar("T")

SHORT_WAIT = 2.0
# Reads finish_job can do: the organisation with its lists, and the numbers it holds.
ORGANISATION, NUMBERS = "organisation", "numbers"
FINISH_FUNCTION = "xeroapp.integrations.connect_reads.finish_job"
# Xero turned the call away for now; the same read later will very likely work.
PASSING = (RateLimited, Unavailable, TransportError)
# A Retry-After up to this long is "in a minute"; a longer one is told as a time of day.
ABOUT_A_MINUTE = 90.0


class ConnectReads:
    """The callback's reads, in order, until Xero turns one away: after that none is made,
    and each is left for ``finish_job`` (``later``)."""

    def __init__(self, sleep: Callable[[float], None] = time.sleep) -> None:
        self.sleep = sleep
        self.waited = 0.0
        self.stopped: XeroError | None = None
        self.later: list[str] = []
        self.follow_currency = False

    def run(self, name: str, read: Callable[[], T]) -> T | None:
        """``read()``'s answer, or None when it is left for later (``name``: what it reads).
        Errors other than passing ones reach the caller."""
        if self.stopped is not None:
            self.defer(name)
            return None
        try:
            return self._after_a_short_wait(read)
        except PASSING as exc:
            log.info("connect: Xero turned away the %s read (%s); read on the queue", name, exc)
            self.stopped = exc
            self.defer(name)
            return None

    def _after_a_short_wait(self, read: Callable[[], T]) -> T:
        try:
            return read()
        except RateLimited as exc:
            wait = max(exc.retry_after, 0.0)
            if self.waited + wait > SHORT_WAIT:
                raise
            self.sleep(wait)
            self.waited += wait
            return read()  # a second refusal goes to the queue

    def defer(self, name: str) -> None:
        if name not in self.later:
            self.later.append(name)

    def delay(self) -> float:
        """Seconds before finish_job should try: Xero's Retry-After, or the first back-off
        after a passing fault."""
        if isinstance(self.stopped, RateLimited):
            return max(self.stopped.retry_after, 1.0)
        if self.stopped is not None:
            return retries.delay(1)
        return 0.0


# -- in the callback ----------------------------------------------------------------------------

def read_numbers(connection: XeroConnection, reads: ConnectReads) -> tuple[str, str] | None:
    """org_numbers.after_connect through ``reads``: (flash category, message) or None; a read
    Xero turned away is left for finish_job, and nothing is said about it yet."""
    workspace = db.session.get(Workspace, connection.workspace_id)
    client = XeroClient(connection.id, connection.tenant_id)
    try:
        held = reads.run(NUMBERS, lambda: org_numbers.read_held(client, workspace))
    except XeroError as exc:
        return org_numbers.unread(connection, exc)
    return org_numbers.settle(connection, held) if held is not None else None


def finish_later(connection: XeroConnection, reads: ConnectReads) -> str | None:
    """Queue finish_job for what the callback left (after the commit); what to tell the
    person, when Xero turned a read away (None when nothing was, or only the lists failed
    for some other reason, which the Integrations page already says while it waits)."""
    if not reads.later:
        return None
    delay = reads.delay()
    try:
        _enqueue(connection, reads.later, reads.follow_currency, 0, delay,
                 job_id=f"xero-connect-{connection.id}")
    except RedisError:  # the page asks for the lists again when it finds them missing
        log.warning("could not queue the reads of connection %s after connecting", connection.id)
    return None if reads.stopped is None else _slow_down_message(connection, reads.stopped, delay)


def listing_turned_away(exc: XeroError | None) -> str:
    """Xero would not list the organisations the person just chose (GET /connections)."""
    why = ("Xero asked us to slow down" if isinstance(exc, RateLimited)
           else "Xero did not answer")
    return (f"{why} before it told us which organisation you chose. Nothing is lost: press "
            "Finish connecting in a moment (within ten minutes).")


def _slow_down_message(connection: XeroConnection, exc: XeroError, delay: float) -> str:
    name = connection.tenant_name
    if not isinstance(exc, RateLimited):
        return (f"Connected to {name}. Xero did not answer when we read its details, so they "
                "will appear in a few minutes.")
    if delay <= ABOUT_A_MINUTE:
        return f"Connected to {name}. Xero asked us to slow down, so its details will appear in a minute."
    resume_at = clock_time(utcnow() + timedelta(seconds=delay), time_zone_of(connection.workspace_id))
    return (f"Connected to {name}. Xero asked us to slow down, so its details will appear "
            f"after {resume_at}, when Xero allows more calls.")


# -- on the queue -------------------------------------------------------------------------------

def finish_job(connection_id: int, tenant_id: str, reads: list[str],
               follow_currency: bool = False, failures: int = 0) -> str:
    """RQ job: make the reads the connect callback could not, if the workspace is still
    connected to that organisation. A 429 waits its Retry-After; a passing fault is tried
    again with the push engine's back-off (sync/retries.py), then left: the Integrations page
    asks for the lists again when it finds them missing."""
    connection = db.session.get(XeroConnection, connection_id)
    if connection is None or connection.tenant_id != tenant_id or connection.needs_reconnect:
        return "skipped"
    left = list(reads)
    try:
        if ORGANISATION in left:
            org = reference.refresh(connection)
            if follow_currency:
                follow_base_currency(connection.workspace_id, org.base_currency)
                db.session.commit()
            left.remove(ORGANISATION)
        if NUMBERS in left:
            workspace = db.session.get(Workspace, connection.workspace_id)
            held = org_numbers.read_held(XeroClient(connection.id, connection.tenant_id), workspace)
            said = org_numbers.settle(connection, held)
            if said is not None:
                log.info("connection %s: %s", connection_id, said[1])
            left.remove(NUMBERS)
    except RateLimited as exc:
        db.session.rollback()
        _enqueue(connection, left, follow_currency and ORGANISATION in left, failures,
                 max(exc.retry_after, 1.0))
        return "waiting"
    except (Unavailable, TransportError) as exc:
        db.session.rollback()
        if not retries.can_retry(failures + 1):
            log.warning("gave up reading %s of connection %s: %s", left, connection_id, exc)
            return "failed"
        _enqueue(connection, left, follow_currency and ORGANISATION in left, failures + 1,
                 retries.delay(failures + 1))
        return "waiting"
    except XeroError as exc:  # not a passing fault: the next trigger (a page) tries again
        db.session.rollback()
        log.warning("could not read %s of connection %s: %s", left, connection_id, exc)
        return "failed"
    return "done"


def _enqueue(connection: XeroConnection, reads: list[str], follow_currency: bool, failures: int,
             delay: float, job_id: str | None = None) -> None:
    """finish_job for ``reads`` in ``delay`` seconds (a job of its own: one rescheduling
    itself must not reuse the id of the job still running)."""
    args = (connection.id, connection.tenant_id, list(reads), follow_currency, failures)
    queue = get_queue()
    if delay > 0:
        queue.enqueue_in(timedelta(seconds=delay), FINISH_FUNCTION, *args, job_id=job_id)
    else:
        queue.enqueue(FINISH_FUNCTION, *args, job_id=job_id)


def follow_base_currency(workspace_id: int, base_currency: str | None) -> None:
    """A workspace's first organisation decides its default currency (new invoices and orders
    use it): a British organisation trades in GBP, whatever the sign-up default was."""
    code = (base_currency or "").upper()
    workspace = db.session.get(Workspace, workspace_id)
    if workspace is not None and code in CURRENCIES:
        workspace.default_currency = code
