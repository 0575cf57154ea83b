"""Injected latency and failures, so the app's retries, timeouts and idempotency can be
tested against the failures Xero really produces
(developer.xero.com/documentation/api/accounting/responsecodes).

Configured through ``/_sandbox/faults`` (see traffic.py for the routes):

- ``latency``: sandbox seconds every admitted accounting call takes (real sleep =
  latency / time scale), spent while holding one of the organisation's 5 slots.
- ``rates``: probability per call of each kind in KINDS, drawn from one RNG (``seed`` makes
  a run repeatable).
- ``next``: a queue of kinds (or "ok") for the next calls, consumed before any random draw,
  so a test can script an exact scenario.
- ``timeout_seconds``: how long (sandbox seconds) a ``timeout`` holds the request before
  dropping the connection.
- ``retry_after``: sandbox seconds an injected 429 asks for; unset, it is what a real
  minute-limit 429 would say (the time left in the tenant's minute window).
- ``tenant_id``: only calls to this organisation are affected.
- ``paths``: only calls to these Accounting API resources are affected, each named as in
  its URL (``["Organisation"]`` for ``GET /api.xro/2.0/Organisation``, ``["Invoices"]``
  for ``/Invoices`` and ``/Invoices/{id}``), compared case-insensitively as Xero's own
  routes are; unset or empty, every resource. Calls to other resources neither get a fault
  nor consume ``next``, so a test can script "the organisation read fails once" while the
  rest of the flow runs untouched.

Only calls that reached the resource stage are eligible: identity, offline organisations,
real 429s and Idempotency-Key replays never get a fault.
"""
from __future__ import annotations

import random
import socket
import threading
import uuid
from collections import deque
from collections.abc import Iterator
from typing import Any

from flask import Response, request

from .errors import json_response, plain

OK = "ok"
KINDS = ("429", "500", "502", "503", "504", "timeout", "lost_response")
DEFAULT_TIMEOUT_SECONDS = 30.0


class SandboxDroppedConnection(ConnectionError):
    """The sandbox dropped the connection on purpose (injected ``timeout`` or
    ``lost_response``). Under werkzeug's server the socket is shut first and the server
    treats this like a client hang-up; in-process (Flask test client, httpx WSGITransport)
    it reaches the caller, who sees the request fail without a response."""


class FaultConfigError(ValueError):
    """A /_sandbox/faults body the sandbox cannot use; the message says why."""


class Faults:
    """The fault settings of one sandbox, safe to read and change from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.latency = 0.0
        self.rates: dict[str, float] = {}
        self.seed: int | None = None
        self.timeout_seconds = DEFAULT_TIMEOUT_SECONDS
        self.retry_after: float | None = None
        self.tenant_id: str | None = None
        self.paths: tuple[str, ...] = ()
        self.queue: deque[str] = deque()
        self._rng = random.Random()

    # -- configuration ----------------------------------------------------------------------
    def configure(self, body: dict[str, Any]) -> None:
        """Merge the given settings into the current ones (all-or-nothing: a bad value
        changes nothing). ``next`` replaces the queue; ``seed`` restarts the RNG."""
        if not isinstance(body, dict):
            raise FaultConfigError("send a JSON object")
        unknown = set(body) - {"latency", "rates", "seed", "timeout_seconds", "retry_after",
                               "tenant_id", "paths", "next"}
        if unknown:
            raise FaultConfigError(f"unknown settings: {', '.join(sorted(unknown))}")
        parsed = {key: _PARSERS[key](value) for key, value in body.items()}
        with self._lock:
            for key, value in parsed.items():
                if key == "next":
                    self.queue = deque(value)
                elif key == "seed":
                    self.seed = value
                    self._rng = random.Random(value)
                else:
                    setattr(self, key, value)

    def clear(self) -> None:
        with self._lock:
            self._reset()

    def describe(self) -> dict[str, Any]:
        with self._lock:
            return {
                "latency": self.latency,
                "rates": dict(self.rates),
                "seed": self.seed,
                "timeout_seconds": self.timeout_seconds,
                "retry_after": self.retry_after,
                "tenant_id": self.tenant_id,
                "paths": list(self.paths),
                "next": list(self.queue),
            }

    # -- per call -------------------------------------------------------------------------------
    def applies_to(self, tenant_id: str, path: str = "") -> bool:
        """Whether a call to ``path`` (the request's path) in ``tenant_id`` is targeted."""
        return ((self.tenant_id is None or self.tenant_id == tenant_id)
                and (not self.paths or resource_of(path) in self.paths))

    def latency_for(self, tenant_id: str, path: str = "") -> float:
        with self._lock:
            return self.latency if self.applies_to(tenant_id, path) else 0.0

    def draw(self, tenant_id: str, path: str = "") -> str | None:
        """The fault for this call, if any: the scripted queue first, then the rates."""
        with self._lock:
            if not self.applies_to(tenant_id, path):
                return None
            if self.queue:
                kind = self.queue.popleft()
                return None if kind == OK else kind
            if not self.rates:
                return None
            roll = self._rng.random()
            for kind in KINDS:  # fixed order: the same seed gives the same run
                roll -= self.rates.get(kind, 0.0)
                if roll < 0:
                    return kind
            return None


def resource_of(path: str) -> str:
    """The resource a request path names, casefolded: "/api.xro/2.0/Invoices/abc" ->
    "invoices" (the first segment after the API's prefix)."""
    rest = path.split("/api.xro/2.0/", 1)[-1]
    return rest.strip("/").split("/", 1)[0].casefold()


# -- validation of /_sandbox/faults bodies ------------------------------------------------------
def _non_negative(name: str):
    def parse(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise FaultConfigError(f"{name} must be a number of seconds >= 0")
        return float(value)
    return parse


def _retry_after(value: Any) -> float | None:
    return None if value is None else _non_negative("retry_after")(value)


def _rates(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise FaultConfigError("rates must be an object like {\"500\": 0.1}")
    rates: dict[str, float] = {}
    for kind, p in value.items():
        if kind not in KINDS:
            raise FaultConfigError(f"unknown fault {kind!r}; use one of {', '.join(KINDS)}")
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0 <= p <= 1:
            raise FaultConfigError(f"rate for {kind} must be a probability between 0 and 1")
        rates[kind] = float(p)
    if sum(rates.values()) > 1 + 1e-9:
        raise FaultConfigError("fault rates add up to more than 1")
    return rates


def _seed(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise FaultConfigError("seed must be an integer")
    return value


def _tenant(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise FaultConfigError("tenant_id must be an organisation id or null")
    return value or None


def _paths(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or any(not isinstance(p, str) or not p.strip("/")
                                          or "/" in p.strip("/") for p in value):
        raise FaultConfigError("paths must be a list of resource names like [\"Organisation\"]")
    return tuple(dict.fromkeys(p.strip("/").casefold() for p in value))


def _queue(value: Any) -> list[str]:
    if not isinstance(value, list) or any(k not in KINDS + (OK,) for k in value):
        raise FaultConfigError(f"next must be a list of: {', '.join(KINDS + (OK,))}")
    return list(value)


_PARSERS = {
    "latency": _non_negative("latency"),
    "timeout_seconds": _non_negative("timeout_seconds"),
    "retry_after": _retry_after,
    "rates": _rates,
    "seed": _seed,
    "tenant_id": _tenant,
    "paths": _paths,
    "next": _queue,
}


# -- what the client gets -----------------------------------------------------------------------
def error_response(kind: str) -> Response:
    """The answer for an injected 500/502/503/504, as Xero and its edge send them."""
    if kind == "500":
        # Seen from the live API (XeroAPI/xero-node#466); no "Type"/"Extensions" keys.
        return json_response({
            "Title": "An error occurred",
            "Detail": "An error occurred in Xero. Check the API Status page "
                      "http://status.developer.xero.com for current service status.",
            "Status": 500,
            "Instance": str(uuid.uuid4()),
        }, status=500)
    if kind == "503":
        return plain(503, "The Xero API is temporarily unavailable")  # Xero: plain text
    # 502/504 come from the load balancer in front of the API, not from the API itself.
    return plain(int(kind), "502 Bad Gateway" if kind == "502" else "504 Gateway Time-out")


def dropped_connection(reason: str) -> Response:
    """A response that never arrives: when the server starts sending it, the socket is shut
    and SandboxDroppedConnection raised, so the client sees the connection close with no
    status line at all (as when a load balancer or network drops it)."""
    return Response(_Dropper(request.environ.get("werkzeug.socket"), reason))


def is_dropped(response: Response) -> bool:
    return isinstance(response.response, _Dropper)


class _Dropper:
    """The body of a dropped response: fails on the first read, after shutting the socket."""

    def __init__(self, sock: object, reason: str) -> None:
        self.sock = sock
        self.reason = reason

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        if isinstance(self.sock, socket.socket):
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # the client already went away: dropped either way
        raise SandboxDroppedConnection(f"xerosandbox dropped the connection ({self.reason})")

