"""The webhook sender: one registration (URL + key), Intent to Receive, batching, delivery
from a background thread, retries.

How Xero delivers (developer.xero.com/documentation/webhooks/configuring-your-server):
- The receiver must answer 200 within 5 seconds, and 401 to a payload whose signature does
  not match. Registering (or changing the URL) starts Intent to Receive: several POSTs of
  ``{"events":[],"firstEventSequence":0,"lastEventSequence":0,"entropy":...}``, some signed
  with the key and some not; only a receiver that answered every good one 200 and every bad
  one 401 gets events ("OK"), else the registration stays "FAILED" and nothing is sent.
- Events are sent in batches, several per POST, with increasing sequence numbers, from a
  background thread (never inside the request that made the change).
- A failed delivery (not 200, no answer within the timeout, connection refused) is retried
  "with decreasing frequency for up to 24 hours"; then the webhook is disabled ("DISABLED")
  until it is registered again.

Sandbox specifics: the registration, queue and delivery log live in memory (a restarted
sandbox has no registration; /_sandbox/reset clears it). Batches collect for
``batch_seconds`` of real time; retry delays are sandbox seconds on the sandbox clock, so a
time scale or ``POST /_sandbox/clock`` brings them closer, and ``retry_seconds`` sets them.
``mount`` hands a WSGI app in as the receiver of a URL prefix, so tests need no socket.
"""
from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

import httpx

from ..accounting.repository import Change
from ..clock import Clock
from . import events, signing

# Sandbox seconds between attempts: 1 min, 5 min, 15 min, 30 min, 1 h, 2 h, 4 h, 8 h, 8 h
# (about 24 h in all, then disabled).
RETRY_SECONDS = (60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 14400.0, 28800.0, 28800.0)
INTENT_PROBES = (True, False, True, False)  # correctly signed or not; shuffled per run
LOG_SIZE = 200
MAX_BATCH = 100
POLL_SECONDS = 0.05


@dataclass
class Settings:
    batch_seconds: float = 0.5       # real seconds events collect before a POST
    timeout_seconds: float = 5.0     # Xero gives a receiver 5 seconds
    retry_seconds: tuple[float, ...] = RETRY_SECONDS
    resource_base_url: str = events.XERO_API


@dataclass
class Registration:
    url: str
    key: str
    status: str = "PENDING"          # PENDING | OK | FAILED | DISABLED
    detail: str = ""
    registered_at: str = ""


@dataclass
class Batch:
    body: bytes
    count: int
    first: int
    last: int
    attempts: int = 0
    due: float = 0.0                 # sandbox time of the next attempt


@dataclass
class Attempt:
    """One POST, as ``GET /_sandbox/webhooks`` lists it."""
    at: str
    kind: str                        # intent_to_receive | events
    ok: bool
    status_code: int | None
    error: str | None = None
    events: int = 0
    first_sequence: int = 0
    last_sequence: int = 0
    signed_correctly: bool | None = None


@dataclass
class Hub:
    clock: Clock
    settings: Settings = field(default_factory=Settings)
    registration: Registration | None = None
    mounts: dict[str, httpx.BaseTransport] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._lock = threading.RLock()
        self._send_lock = threading.Lock()   # one POST of events at a time, in order
        self._pending: list[tuple[int, dict[str, Any]]] = []
        self._pending_since: float | None = None
        self._retrying: Batch | None = None
        self._next_sequence = 1
        self._log: deque[Attempt] = deque(maxlen=LOG_SIZE)
        self._thread: threading.Thread | None = None

    # -- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget the registration, queued events, log and knobs (``/_sandbox/reset``)."""
        with self._lock:
            self.registration = None
            self.settings = Settings()
            self._forget_queue()
            self._next_sequence = 1
            self._log.clear()
            self._thread = None

    def unregister(self) -> None:
        with self._lock:
            self.registration = None
            self._forget_queue()
            self._thread = None

    def _forget_queue(self) -> None:
        self._pending.clear()
        self._pending_since = None
        self._retrying = None

    def mount(self, url_prefix: str, wsgi_app: Callable) -> None:
        """Deliver to ``wsgi_app`` in-process whatever is sent to ``url_prefix``
        (e.g. ``http://receiver.test``)."""
        # A receiver that raises answers 500, as a crashing server would.
        self.mounts[url_prefix] = httpx.WSGITransport(app=wsgi_app, raise_app_exceptions=False)

    def view(self) -> dict[str, Any]:
        with self._lock:
            reg = self.registration
            retrying = self._retrying
            return {
                "registration": None if reg is None else {
                    "url": reg.url, "status": reg.status, "detail": reg.detail,
                    "registered_at": reg.registered_at},
                "settings": {**asdict(self.settings), "retry_seconds": list(self.settings.retry_seconds)},
                "pending_events": len(self._pending),
                "awaiting_retry": None if retrying is None else {
                    "events": retrying.count, "attempts": retrying.attempts,
                    "next_attempt_at": _iso(retrying.due)},
                "next_sequence": self._next_sequence,
                "deliveries": [asdict(a) for a in self._log],
            }

    # -- registration -------------------------------------------------------------------------
    def register(self, url: str, key: str) -> None:
        """Register (or re-register) and run Intent to Receive now; events flow if it passes."""
        with self._lock:
            self.registration = reg = Registration(url, key, registered_at=_iso(self.clock.now()))
            self._forget_queue()
            self._thread = None
        failures = [problem for probe in _shuffled(INTENT_PROBES)
                    if (problem := self._probe(reg, probe)) is not None]
        with self._lock:
            if self.registration is not reg:
                return  # replaced or reset meanwhile
            reg.status, reg.detail = ("FAILED", failures[0]) if failures else ("OK", "")
            if reg.status == "OK":
                self._start_thread()

    def _probe(self, reg: Registration, signed_correctly: bool) -> str | None:
        body = events.payload([], 0, 0)
        signature = (signing.sign if signed_correctly else signing.wrong_signature)(reg.key, body)
        status, error = self._post(reg.url, body, signature)
        expected = 200 if signed_correctly else 401
        self._remember(Attempt(_iso(self.clock.now()), "intent_to_receive", status == expected, status,
                               error, signed_correctly=signed_correctly))
        if status == expected:
            return None
        which = "a correctly" if signed_correctly else "an incorrectly"
        got = f"answered {status}" if status is not None else f"not answered ({error})"
        return f"Intent to Receive: {which} signed payload was {got}, expected {expected}"

    # -- events in ----------------------------------------------------------------------------
    def record(self, change: Change) -> None:
        """Queue the event of a committed change (called after commit, in the request's
        thread: it only queues)."""
        with self._lock:
            reg = self.registration
            if reg is None or reg.status != "OK":
                return  # Xero keeps no events for a webhook that is not receiving
            self._pending.append((self._next_sequence, events.event(change, self.settings.resource_base_url)))
            self._next_sequence += 1
            if self._pending_since is None:
                self._pending_since = time.monotonic()

    # -- events out ---------------------------------------------------------------------------
    def flush(self) -> list[dict[str, Any]]:
        """Deliver everything queued now (a batch awaiting retry first); stops at a failure."""
        made: list[dict[str, Any]] = []
        while True:
            attempt = self._deliver(force=True)
            if attempt is None:
                return made
            made.append(asdict(attempt))
            if not attempt.ok:
                return made

    def _deliver(self, *, force: bool) -> Attempt | None:
        with self._send_lock:
            with self._lock:
                reg = self.registration
                batch = self._due_batch(force) if reg is not None and reg.status == "OK" else None
            if batch is None or reg is None:
                return None
            status, error = self._post(reg.url, batch.body, signing.sign(reg.key, batch.body))
            attempt = Attempt(_iso(self.clock.now()), "events", status == 200, status, error,
                              batch.count, batch.first, batch.last)
            self._remember(attempt)
            with self._lock:
                if self.registration is reg:
                    self._settle(reg, batch, attempt.ok)
            return attempt

    def _due_batch(self, force: bool) -> Batch | None:
        if self._retrying is not None:
            return self._retrying if force or self.clock.now() >= self._retrying.due else None
        if not self._pending:
            return None
        waited = time.monotonic() - (self._pending_since or 0.0)
        if not force and waited < self.settings.batch_seconds:
            return None
        taken, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
        self._pending_since = time.monotonic() if self._pending else None
        first, last = taken[0][0], taken[-1][0]
        self._retrying = Batch(events.payload([e for _, e in taken], first, last), len(taken), first, last)
        return self._retrying

    def _settle(self, reg: Registration, batch: Batch, ok: bool) -> None:
        if ok:
            self._retrying = None
            return
        batch.attempts += 1
        delays = self.settings.retry_seconds
        if batch.attempts > len(delays):
            reg.status = "DISABLED"
            reg.detail = f"deliveries failed {batch.attempts} times; register again to re-enable"
            self._forget_queue()
            return
        batch.due = self.clock.now() + delays[batch.attempts - 1]

    def _post(self, url: str, body: bytes, signature: str) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json", signing.HEADER: signature}
        try:
            with httpx.Client(timeout=self.settings.timeout_seconds, mounts=dict(self.mounts)) as client:
                return client.post(url, content=body, headers=headers).status_code, None
        except httpx.TimeoutException:
            return None, f"no answer within {self.settings.timeout_seconds:g} s"
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"

    def _remember(self, attempt: Attempt) -> None:
        with self._lock:
            self._log.append(attempt)

    # -- the background sender ----------------------------------------------------------------
    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._run, name="xerosandbox-webhooks", daemon=True)
        self._thread = thread
        thread.start()

    def _run(self) -> None:
        """Deliver what is due until this thread is replaced (re-registration) or the
        registration goes (reset, unregister)."""
        me = threading.current_thread()
        while self._thread is me:
            self._deliver(force=False)
            time.sleep(POLL_SECONDS)


def _shuffled(probes: tuple[bool, ...]) -> list[bool]:
    order = list(probes)
    random.shuffle(order)
    return order


def _iso(epoch_seconds: float) -> str:
    return datetime.fromtimestamp(epoch_seconds, tz=timezone.utc).isoformat(timespec="milliseconds")
